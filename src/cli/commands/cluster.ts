/**
 * `vltava cluster` — what rpk cluster info shows: cluster id, controller, and every broker with
 * host:port and rack. The quickest "is it up, and which one am I talking to" check.
 */
import type { Command } from 'commander';
import { withAdmin } from '../support/admin.js';
import { action, examples } from '../support/command.js';
import { addConnectionOptions, type ConnectionFlags, resolveContext } from '../support/context.js';

async function cluster(flags: ConnectionFlags): Promise<void> {
  const ctx = await resolveContext(flags);
  const d = await withAdmin(ctx, (admin) => admin.describeCluster());
  const brokers = [...d.brokers].sort((a, b) => a.nodeId - b.nodeId);
  if (ctx.out.json) {
    ctx.out.document({
      clusterId: d.clusterId,
      controllerId: d.controllerId,
      brokers: brokers.map((b) => ({
        id: b.nodeId,
        host: b.host,
        port: b.port,
        rack: b.rack,
        controller: b.nodeId === d.controllerId,
      })),
    });
    return;
  }
  const c = ctx.out.colors;
  ctx.out.line(`${c.bold('Cluster ID:')} ${d.clusterId ?? '-'}`);
  ctx.out.line(`${c.bold('Controller:')} ${d.controllerId < 0 ? 'none' : d.controllerId}`);
  ctx.out.line();
  ctx.out.table(
    ['ID', 'HOST', 'PORT', 'RACK'],
    brokers.map((b) => [b.nodeId === d.controllerId ? `${b.nodeId}*` : b.nodeId, b.host, b.port, b.rack]),
  );
}

export function registerClusterCommand(program: Command): Command {
  const cmd = program.command('cluster').description('show the cluster id, controller and brokers (host:port, rack)');
  addConnectionOptions(cmd)
    .addHelpText(
      'after',
      `\nThe controller is marked with *.\n${examples('vltava cluster', 'vltava cluster --bootstrap-server broker1:9092 --output json')}`,
    )
    .action(action((flags: ConnectionFlags) => cluster(flags)));
  return cmd;
}
