// The whole life of a topic through the real `vltava` executable against an in-process broker:
// create -> produce -> consume -> group lag -> reset-offsets (dry run, then --execute) -> consume
// again -> delete, with every step's JSON output parsed and checked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Broker, startBroker } from '../../src/index.js';
import { jsonLines, runCli, startCli } from './run-cli.js';

interface GroupReport {
  group: string;
  state: string;
  members: unknown[];
  offsets: Array<{ topic: string; partition: number; committedOffset: number; logEndOffset: number; lag: number }>;
  totalLag: number;
}

describe('vltava workflow against a broker', () => {
  let broker: Broker;
  let b: string[];
  const cli = async (args: string[], input?: string) => {
    const r = await runCli([...args, ...b], { input });
    assert.equal(r.code, 0, `vltava ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r;
  };
  const json = async <T>(args: string[], input?: string): Promise<T> =>
    JSON.parse((await cli([...args, '--output', 'json'], input)).stdout) as T;
  const describeGroup = async (group: string) =>
    (await json<GroupReport[]>(['groups', 'describe', '--group', group]))[0]!;

  before(async () => {
    broker = await startBroker({ port: 0, storage: 'memory', config: { 'group.initial.rebalance.delay.ms': 0 } });
    b = ['--bootstrap-server', broker.bootstrapServers];
  });
  after(async () => {
    await broker?.close();
  });

  it('create -> produce -> consume -> lag -> reset (dry run, execute) -> consume again -> delete', async () => {
    const created = await json<Array<{ topic: string; created: boolean }>>([
      'topics',
      'create',
      '--topic',
      'wf',
      '--partitions',
      '3',
      '--replication-factor',
      '1',
    ]);
    assert.deepEqual(created, [{ topic: 'wf', created: true }]);
    assert.ok((await json<string[]>(['topics', 'list'])).includes('wf'));

    const [topic] = await json<
      Array<{
        topic: string;
        partitionCount: number;
        partitions: Array<{ leader: number; replicas: number[]; isr: number[] }>;
      }>
    >(['topics', 'describe', '--topic', 'wf']);
    assert.equal(topic!.partitionCount, 3);
    for (const p of topic!.partitions) {
      assert.equal(p.leader, broker.nodeId);
      assert.deepEqual(p.replicas, [broker.nodeId]);
      assert.deepEqual(p.isr, [broker.nodeId]);
    }

    const lines = Array.from({ length: 10 }, (_, i) => `k${i}:v${i}`).join('\n');
    const produced = await cli(
      ['produce', '--topic', 'wf', '--property', 'parse.key=true', '--property', 'key.separator=:', '--output', 'json'],
      `${lines}\n`,
    );
    const acks = jsonLines(produced.stdout) as Array<{ line: number; partition: number; offset: number }>;
    assert.equal(acks.length, 10);
    assert.deepEqual(
      acks.map((a) => a.line).sort((x, y) => x - y),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );

    const all = await cli(['consume', '--topic', 'wf', '--from-beginning', '--max-messages', '10', '--output', 'json']);
    const records = jsonLines(all.stdout) as Array<{ key: string; value: string; partition: number; offset: number }>;
    assert.deepEqual(records.map((r) => r.value).sort(), Array.from({ length: 10 }, (_, i) => `v${i}`).sort());
    for (const r of records) assert.equal(r.key, `k${r.value.slice(1)}`);
    assert.match(all.stderr, /Processed a total of 10 messages/);

    // A group reads 6 of the 10 records and commits exactly those.
    const six = await cli(['consume', '--topic', 'wf', '--group', 'wf-g', '--from-beginning', '--max-messages', '6']);
    assert.equal(six.stdout.trim().split('\n').length, 6);
    // Like Kafka, an empty group lists the partitions it has committed offsets for.
    let g = await describeGroup('wf-g');
    assert.equal(g.state, 'Empty');
    assert.equal(
      g.offsets.reduce((s, o) => s + o.committedOffset, 0),
      6,
    );
    for (const o of g.offsets) assert.equal(o.lag, o.logEndOffset - o.committedOffset);
    const lagBefore = g.totalLag;
    assert.equal(lagBefore, g.offsets.reduce((s, o) => s + o.logEndOffset, 0) - 6);

    // Dry run: prints the plan, changes nothing.
    const dry = await json<{ executed: boolean; partitions: Array<{ partition: number; newOffset: number }> }>([
      'groups',
      'reset-offsets',
      '--group',
      'wf-g',
      '--topic',
      'wf',
      '--to-earliest',
    ]);
    assert.equal(dry.executed, false);
    assert.deepEqual(
      dry.partitions.map((p) => p.newOffset),
      [0, 0, 0],
    );
    assert.equal((await describeGroup('wf-g')).totalLag, lagBefore);

    const table = await cli(['groups', 'reset-offsets', '--group', 'wf-g', '--topic', 'wf', '--to-earliest']);
    assert.match(table.stdout, /GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+NEW-OFFSET/);
    assert.match(table.stderr, /Dry run/);

    const done = await json<{ executed: boolean }>([
      'groups',
      'reset-offsets',
      '--group',
      'wf-g',
      '--topic',
      'wf',
      '--to-earliest',
      '--execute',
    ]);
    assert.equal(done.executed, true);
    g = await describeGroup('wf-g');
    assert.equal(g.totalLag, 10);
    assert.ok(g.offsets.every((o) => o.committedOffset === 0));

    // The group starts again from its (reset) committed offsets: all 10 records.
    const again = await cli([
      'consume',
      '--topic',
      'wf',
      '--group',
      'wf-g',
      '--max-messages',
      '10',
      '--output',
      'json',
    ]);
    assert.equal(jsonLines(again.stdout).length, 10);
    assert.equal((await describeGroup('wf-g')).totalLag, 0);

    const shifted = await json<{ partitions: Array<{ currentOffset: number; newOffset: number }> }>([
      'groups',
      'reset-offsets',
      '--group',
      'wf-g',
      '--all-topics',
      '--shift-by',
      '-1',
      '--execute',
    ]);
    for (const p of shifted.partitions) assert.equal(p.newOffset, Math.max(0, p.currentOffset - 1));

    await cli(['groups', 'delete', '--group', 'wf-g']);
    assert.ok(!(await json<Array<{ group: string }>>(['groups', 'list'])).some((x) => x.group === 'wf-g'));
    await cli(['topics', 'delete', '--topic', 'wf']);
    assert.ok(!(await json<string[]>(['topics', 'list'])).includes('wf'));
    const gone = await runCli(['topics', 'delete', '--topic', 'wf', ...b]);
    assert.equal(gone.code, 1);
    await cli(['topics', 'delete', '--topic', 'wf', '--if-exists']);
  });

  it('reset-offsets refuses while the group has an active member', async () => {
    await cli(['topics', 'create', '--topic', 'busy', '--partitions', '1']);
    await cli(['produce', '--topic', 'busy'], 'one\n');
    const consumer = await startCli(['consume', '--topic', 'busy', '--group', 'busy-g', '--from-beginning', ...b], 1);
    try {
      const r = await runCli([
        'groups',
        'reset-offsets',
        '--group',
        'busy-g',
        '--topic',
        'busy',
        '--to-earliest',
        '--execute',
        ...b,
      ]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^vltava: .*inactive group.*'busy-g' is \w+ with 1 active member/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      const members = await json<GroupReport[]>(['groups', 'describe', '--group', 'busy-g', '--members']);
      assert.equal(members[0]!.members.length, 1);
    } finally {
      const end = await consumer.stop();
      assert.equal(end.code, 0, end.stderr);
    }
  });

  it('produce reports failed lines by number and exits non-zero; headers and keys round-trip', async () => {
    await cli(['topics', 'create', '--topic', 'lines', '--partitions', '1']);
    const r = await runCli(
      ['produce', '--topic', 'lines', '--property', 'parse.key=true', '--property', 'key.separator=:', ...b],
      { input: 'a:1\nno separator\nb:2\n' },
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /line 2: no key separator/);
    assert.match(r.stderr, /1 of 3 lines failed; 2 records delivered/);

    await cli(
      ['produce', '--topic', 'lines', '--property', 'parse.headers=true', '--property', 'parse.key=true'],
      'h1:x,h2:y\tk3\tv3\n',
    );
    const printed = await cli([
      'consume',
      '--topic',
      'lines',
      '--offset',
      'earliest',
      '--max-messages',
      '3',
      '--property',
      'print.key=true',
      '--property',
      'print.offset=true',
      '--property',
      'print.headers=true',
      '--property',
      'key.separator=|',
    ]);
    assert.deepEqual(printed.stdout.trim().split('\n'), [
      'Offset:0|NO_HEADERS|a|1',
      'Offset:1|NO_HEADERS|b|2',
      'Offset:2|h1:x,h2:y|k3|v3',
    ]);
    const formatted = await cli([
      'consume',
      '--topic',
      'lines',
      '--offset',
      '-1',
      '--max-messages',
      '1',
      '--format',
      '%t/%p/%o %k=%s [%h] %S',
    ]);
    assert.equal(formatted.stdout, 'lines/0/2 k3=v3 [h1=x,h2=y] 2\n');
    const timedOut = await cli(['consume', '--topic', 'lines', '--timeout-ms', '300']);
    assert.equal(timedOut.stdout, '');
    assert.match(timedOut.stderr, /Processed a total of 0 messages/);
  });

  it('cluster, configs and topic alter', async () => {
    const c = await json<{
      clusterId: string;
      controllerId: number;
      brokers: Array<{ id: number; host: string; port: number }>;
    }>(['cluster']);
    assert.equal(c.clusterId, broker.clusterId);
    assert.equal(c.brokers.length, 1);
    assert.equal(`${c.brokers[0]!.host}:${c.brokers[0]!.port}`, broker.bootstrapServers);

    await cli(['topics', 'create', '--topic', 'cfg', '--partitions', '1', '--config', 'retention.ms=60000']);
    await cli([
      'configs',
      'alter',
      '--entity-type',
      'topics',
      '--entity-name',
      'cfg',
      '--add-config',
      'cleanup.policy=[compact,delete],max.message.bytes=2000000',
    ]);
    let [d] = await json<Array<{ configs: Array<{ name: string; value: string }> }>>([
      'configs',
      'describe',
      '--topic',
      'cfg',
    ]);
    assert.deepEqual(Object.fromEntries(d!.configs.map((e) => [e.name, e.value])), {
      'cleanup.policy': 'compact,delete',
      'max.message.bytes': '2000000',
      'retention.ms': '60000',
    });
    await cli(['configs', 'alter', '--topic', 'cfg', '--delete-config', 'retention.ms']);
    [d] = await json<Array<{ configs: Array<{ name: string; value: string }> }>>([
      'configs',
      'describe',
      '--topic',
      'cfg',
    ]);
    assert.ok(!d!.configs.some((e) => e.name === 'retention.ms'));

    await cli(['topics', 'alter', '--topic', 'cfg', '--partitions', '4']);
    const [t] = await json<Array<{ partitionCount: number; configs: Record<string, string> }>>([
      'topics',
      'describe',
      'cfg',
    ]);
    assert.equal(t!.partitionCount, 4);
    assert.equal(t!.configs['cleanup.policy'], 'compact,delete');
    const healthy = await json<unknown[]>([
      'topics',
      'describe',
      '--under-replicated-partitions',
      '--unavailable-partitions',
    ]);
    assert.deepEqual(healthy, []);

    const brokerCfg = await cli(['configs', 'describe', '--broker', String(broker.nodeId), '--all']);
    assert.match(brokerCfg.stdout, /num\.partitions/);
  });

  it('perf produce and consume print their summaries', async () => {
    await cli(['topics', 'create', '--topic', 'perf', '--partitions', '2']);
    const p = await json<{
      records: number;
      errors: number;
      recordsPerSec: number;
      latencyMs: { avg: number; p50: number; p99: number; max: number };
    }>([
      'perf',
      'produce',
      '--topic',
      'perf',
      '--num-records',
      '5000',
      '--record-size',
      '100',
      '--throughput',
      '-1',
      '--producer-props',
      'acks=1',
      'linger.ms=2',
    ]);
    assert.equal(p.records, 5000);
    assert.equal(p.errors, 0);
    assert.ok(p.recordsPerSec > 0);
    assert.ok(p.latencyMs.p50 <= p.latencyMs.p99 && p.latencyMs.p99 <= p.latencyMs.max);
    const text = await cli([
      'perf',
      'produce',
      '--topic',
      'perf',
      '--num-records',
      '1000',
      '--record-size',
      '10',
      '--throughput',
      '5000',
    ]);
    assert.match(
      text.stdout,
      /^1000 records sent, [\d.]+ records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, [\d.]+ ms 50th, [\d.]+ ms 95th, [\d.]+ ms 99th, [\d.]+ ms 99.9th.$/m,
    );
    const c = await json<{ records: number; bytes: number }>([
      'perf',
      'consume',
      '--topic',
      'perf',
      '--messages',
      '6000',
    ]);
    assert.equal(c.records, 6000);
    assert.equal(c.bytes, 5000 * 100 + 1000 * 10);
  });
});
