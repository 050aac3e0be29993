/**
 * `vltava configs describe|alter` — kafka-configs.sh for topics and brokers: --entity-type
 * topics|brokers with --entity-name (or --entity-default for cluster-wide broker defaults), the
 * --topic / --broker shorthands, --add-config k=v,k2=[a,b] and --delete-config k.
 *
 * alter uses IncrementalAlterConfigs (set/delete per key), so keys not named are left alone —
 * the legacy AlterConfigs replaces a resource's whole dynamic config, which surprises people.
 */
import type { Command } from 'commander';
import type { ConfigEntry, ConfigResource } from '../../client/admin/admin.js';
import { withAdmin } from '../support/admin.js';
import { action, collect, examples } from '../support/command.js';
import {
  addConnectionOptions,
  type ConnectionFlags,
  resolveContext,
} from '../support/context.js';
import { usageError } from '../support/errors.js';

interface ConfigFlags extends ConnectionFlags {
  entityType?: string;
  entityName?: string;
  entityDefault?: boolean;
  topic?: string;
  broker?: string;
  addConfig?: string[];
  deleteConfig?: string[];
  all?: boolean;
}

/** Resolves the flags to resources; describe without a name means "all of that type". */
function resources(flags: ConfigFlags, requireName: boolean): { type: 'topic' | 'broker'; names: string[] | 'all' } {
  const given = [flags.topic !== undefined, flags.broker !== undefined, flags.entityType !== undefined].filter(
    Boolean,
  ).length;
  if (given > 1) throw usageError('use either --entity-type with --entity-name, or --topic, or --broker');
  if (flags.topic !== undefined) return { type: 'topic', names: [flags.topic] };
  if (flags.broker !== undefined) return { type: 'broker', names: [flags.broker] };
  const t = flags.entityType?.trim().toLowerCase();
  if (t === undefined)
    throw usageError(
      'say what to configure: --topic <name>, --broker <id>, or --entity-type topics|brokers --entity-name <name>',
    );
  const type = t === 'topics' || t === 'topic' ? 'topic' : t === 'brokers' || t === 'broker' ? 'broker' : undefined;
  if (type === undefined) throw usageError(`--entity-type must be topics or brokers, got '${flags.entityType}'`);
  if (flags.entityDefault) {
    if (type !== 'broker') throw usageError('--entity-default applies to brokers only');
    return { type, names: [''] };
  }
  if (flags.entityName === undefined) {
    if (requireName) throw usageError('--entity-name is required (or --entity-default for brokers)');
    return { type, names: 'all' };
  }
  return { type, names: [flags.entityName] };
}

/** Kafka's --add-config syntax: k1=v1,k2=[v1,v2] — commas inside brackets belong to the value. */
export function parseAddConfig(args: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const arg of args) {
    let depth = 0;
    let cur = '';
    const pieces: string[] = [];
    for (const ch of arg) {
      if (ch === '[') depth++;
      if (ch === ']') depth = Math.max(0, depth - 1);
      if (ch === ',' && depth === 0) {
        pieces.push(cur);
        cur = '';
      } else cur += ch;
    }
    pieces.push(cur);
    for (const p of pieces) {
      if (p.trim() === '') continue;
      const eq = p.indexOf('=');
      if (eq <= 0) throw usageError(`--add-config expects key=value[,key=value...], got '${p}'`);
      let v = p.slice(eq + 1).trim();
      if (v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
      out.push([p.slice(0, eq).trim(), v]);
    }
  }
  return out;
}

const label = (type: 'topic' | 'broker', name: string) =>
  type === 'broker' && name === '' ? 'default broker' : `${type} ${name}`;

async function describe(flags: ConfigFlags): Promise<void> {
  const r = resources(flags, false);
  const ctx = await resolveContext(flags);
  const result = await withAdmin(ctx, async (admin) => {
    let names = r.names;
    if (names === 'all') {
      if (r.type === 'topic') names = await admin.listTopics();
      else names = (await admin.describeCluster()).brokers.map((b) => String(b.nodeId));
    }
    if (names.length === 0) return [];
    return admin.describeConfigs(names.map((name): ConfigResource => ({ type: r.type, name })));
  });
  // Like kafka-configs: dynamic (explicitly set) configs unless --all.
  const shown = (entries: ConfigEntry[]) =>
    entries
      .filter(
        (e) => flags.all || (e.source !== 'DEFAULT_CONFIG' && e.source !== 'STATIC_BROKER_CONFIG' && !e.isDefault),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
  if (ctx.out.json) {
    ctx.out.document(
      result.map((res) => ({
        entityType: res.type === 'topic' ? 'topics' : 'brokers',
        entityName: res.name,
        configs: shown(res.configs).map((e) => ({
          name: e.name,
          value: e.isSensitive ? null : e.value,
          source: e.source,
          readOnly: e.readOnly,
          sensitive: e.isSensitive,
        })),
      })),
    );
    return;
  }
  result.forEach((res, i) => {
    if (i > 0) ctx.out.line();
    const entries = shown(res.configs);
    ctx.out.line(
      `${flags.all ? 'All' : 'Dynamic'} configs for ${label(res.type === 'broker' ? 'broker' : 'topic', res.name)}:`,
    );
    if (entries.length === 0) ctx.out.line(ctx.out.colors.dim('  (none)'));
    else
      ctx.out.table(
        ['NAME', 'VALUE', 'SOURCE', 'READ-ONLY'],
        entries.map((e) => [e.name, e.isSensitive ? '(sensitive)' : e.value, e.source, e.readOnly]),
      );
  });
}

async function alter(flags: ConfigFlags): Promise<void> {
  const r = resources(flags, true);
  const set = parseAddConfig(flags.addConfig ?? []);
  const del = (flags.deleteConfig ?? [])
    .flatMap((d) => d.split(','))
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (set.length === 0 && del.length === 0)
    throw usageError('nothing to change: give --add-config and/or --delete-config');
  const names = r.names as string[];
  const ctx = await resolveContext(flags);
  await withAdmin(ctx, (admin) =>
    admin.incrementalAlterConfigs(
      names.map((name) => ({
        type: r.type,
        name,
        operations: [
          ...set.map(([k, value]) => ({ name: k, op: 'set' as const, value })),
          ...del.map((k) => ({ name: k, op: 'delete' as const })),
        ],
      })),
    ),
  );
  if (ctx.out.json)
    ctx.out.document(
      names.map((name) => ({
        entityType: r.type === 'topic' ? 'topics' : 'brokers',
        entityName: name,
        set: Object.fromEntries(set),
        deleted: del,
      })),
    );
  else for (const n of names) ctx.out.line(`Completed updating config for ${label(r.type, n)}.`);
}

function entityOptions(cmd: Command): Command {
  return cmd
    .option('--entity-type <type>', 'topics or brokers')
    .option('--entity-name <name>', 'topic name or broker id')
    .option('--entity-default', 'the cluster-wide default (brokers)')
    .option('--topic <name>', 'shorthand for --entity-type topics --entity-name <name>')
    .option('--broker <id>', 'shorthand for --entity-type brokers --entity-name <id>');
}

export function registerConfigsCommand(program: Command): Command {
  const configs = program
    .command('configs')
    .alias('config')
    .description('describe and change topic and broker configs (kafka-configs)')
    .addHelpText(
      'after',
      examples(
        'vltava configs describe --topic orders',
        'vltava configs alter --topic orders --add-config retention.ms=86400000',
      ),
    );

  addConnectionOptions(
    entityOptions(
      configs.command('describe').description('show configs (only explicitly set ones unless --all)'),
    ).option('--all', 'include defaults and static configs'),
  )
    .addHelpText(
      'after',
      examples(
        'vltava configs describe --topic orders',
        'vltava configs describe --entity-type brokers --entity-name 0 --all',
        'vltava configs describe --entity-type topics --output json',
      ),
    )
    .action(action((flags: ConfigFlags) => describe(flags)));

  addConnectionOptions(
    entityOptions(configs.command('alter').description('set or remove configs, leaving the others alone'))
      .option('--add-config <k=v,...>', 'configs to set; list values in brackets: k=[a,b] (repeatable)', collect)
      .option('--delete-config <k,...>', 'configs to remove, reverting to the default (repeatable)', collect),
  )
    .addHelpText(
      'after',
      examples(
        'vltava configs alter --topic orders --add-config retention.ms=86400000,cleanup.policy=compact',
        'vltava configs alter --entity-type topics --entity-name orders --delete-config retention.ms',
        'vltava configs alter --broker 0 --add-config log.retention.ms=604800000',
      ),
    )
    .action(action((flags: ConfigFlags) => alter(flags)));
  return configs;
}
