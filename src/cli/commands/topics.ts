/**
 * `vltava topics create|list|describe|alter|delete` — kafka-topics.sh's flags (--topic,
 * --partitions, --replication-factor, --config, --if-not-exists, --if-exists, the describe
 * filters) as subcommands, with rpk's habit of also taking topic names as arguments.
 *
 * describe reads metadata for all topics in one request through the admin client's cluster view
 * rather than Admin.describeTopics, because that call treats a topic with a leaderless partition
 * as missing — exactly the topics --unavailable-partitions exists to show.
 */
import type { Command } from 'commander';
import { uuidString } from '../../client/admin/admin.js';
import { KafkaError } from '../../client/errors.js';
import { parseKeyValue } from '../support/client-properties.js';
import { withAdmin } from '../support/admin.js';
import { action, collect, examples } from '../support/command.js';
import {
  addConnectionOptions,
  type ConnectionFlags,
  parsePositiveInt,
  resolveContext,
} from '../support/context.js';
import { CliError, usageError } from '../support/errors.js';

interface TopicFlags extends ConnectionFlags {
  topic?: string[];
  partitions?: string;
  replicationFactor?: string;
  config?: string[];
  deleteConfig?: string[];
  ifNotExists?: boolean;
  ifExists?: boolean;
  excludeInternal?: boolean;
  underReplicatedPartitions?: boolean;
  underMinIsrPartitions?: boolean;
  unavailablePartitions?: boolean;
}

/** --topic a --topic b, --topic a,b and positional names all add up. */
function topicNames(args: string[], flags: TopicFlags): string[] {
  return [...(flags.topic ?? []).flatMap((t) => t.split(',')), ...args].map((t) => t.trim()).filter((t) => t !== '');
}

function configMap(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of list ?? []) {
    const [k, v] = parseKeyValue(c, '--config');
    out[k] = v;
  }
  return out;
}

const isKafka = (err: unknown, name: string) => err instanceof KafkaError && err.name === name;

async function create(args: string[], flags: TopicFlags): Promise<void> {
  const names = topicNames(args, flags);
  if (names.length === 0) throw usageError('name the topic to create: --topic <name>');
  const numPartitions = flags.partitions === undefined ? -1 : parsePositiveInt(flags.partitions, '--partitions');
  const replicationFactor =
    flags.replicationFactor === undefined ? -1 : parsePositiveInt(flags.replicationFactor, '--replication-factor');
  const configs = configMap(flags.config);
  const ctx = await resolveContext(flags);
  const results: Array<{ topic: string; created: boolean }> = [];
  await withAdmin(ctx, async (admin) => {
    for (const topic of names) {
      try {
        await admin.createTopics([{ topic, numPartitions, replicationFactor, configs }]);
        results.push({ topic, created: true });
      } catch (err) {
        if (flags.ifNotExists && isKafka(err, 'TOPIC_ALREADY_EXISTS')) results.push({ topic, created: false });
        else throw err;
      }
    }
  });
  if (ctx.out.json) ctx.out.document(results);
  else
    for (const r of results) ctx.out.line(r.created ? `Created topic ${r.topic}.` : `Topic ${r.topic} already exists.`);
}

async function list(flags: TopicFlags): Promise<void> {
  const ctx = await resolveContext(flags);
  const names = await withAdmin(ctx, (admin) => admin.listTopics({ includeInternal: !flags.excludeInternal }));
  if (ctx.out.json) ctx.out.document(names);
  else for (const n of names) ctx.out.line(n);
}

interface PartitionView {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

interface TopicView {
  topic: string;
  topicId: string;
  isInternal: boolean;
  partitionCount: number;
  replicationFactor: number;
  configs: Record<string, string>;
  partitions: PartitionView[];
}

async function describe(args: string[], flags: TopicFlags): Promise<void> {
  const wanted = topicNames(args, flags);
  const ctx = await resolveContext(flags);
  const views = await withAdmin(ctx, async (admin) => {
    const cluster = admin.cluster;
    cluster.trackAllTopics = true;
    await cluster.refreshMetadata();
    const all = [...cluster.metadata.topics.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const t of wanted) if (!cluster.metadata.topics.has(t)) throw new CliError(`topic '${t}' does not exist`);
    const chosen = all.filter((t) =>
      wanted.length > 0 ? wanted.includes(t.name) : !(flags.excludeInternal && t.isInternal),
    );
    const live = new Set(cluster.metadata.brokers.keys());
    const configs =
      chosen.length === 0
        ? []
        : await admin.describeConfigs(chosen.map((t) => ({ type: 'topic' as const, name: t.name })));
    return chosen.map((t): TopicView & { minIsr: number; live: Set<number> } => {
      const entries = configs.find((c) => c.name === t.name)?.configs ?? [];
      const dynamic = Object.fromEntries(
        entries
          .filter((e) => e.source === 'DYNAMIC_TOPIC_CONFIG' && e.value !== null)
          .map((e) => [e.name, e.isSensitive ? '(sensitive)' : e.value!]),
      );
      const minIsr = Number(entries.find((e) => e.name === 'min.insync.replicas')?.value ?? 1);
      return {
        topic: t.name,
        topicId: uuidString(t.topicId),
        isInternal: t.isInternal,
        partitionCount: t.partitions.length,
        replicationFactor: t.partitions[0]?.replicas.length ?? 0,
        configs: dynamic,
        partitions: t.partitions.map((p) => ({
          partition: p.partition,
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas,
        })),
        minIsr,
        live,
      };
    });
  });
  const filtering = flags.underReplicatedPartitions || flags.underMinIsrPartitions || flags.unavailablePartitions;
  const keep = (v: (typeof views)[number], p: PartitionView) =>
    !filtering ||
    (flags.underReplicatedPartitions === true && p.isr.length < p.replicas.length) ||
    (flags.underMinIsrPartitions === true && p.isr.length < v.minIsr) ||
    (flags.unavailablePartitions === true && (p.leader < 0 || !v.live.has(p.leader)));
  const shown = views
    .map((v) => ({ ...v, partitions: v.partitions.filter((p) => keep(v, p)) }))
    .filter((v) => !filtering || v.partitions.length > 0);
  if (ctx.out.json) {
    ctx.out.document(shown.map(({ minIsr: _m, live: _l, ...v }) => v));
    return;
  }
  const c = ctx.out.colors;
  shown.forEach((v, i) => {
    if (i > 0) ctx.out.line();
    const cfg = Object.entries(v.configs)
      .map(([k, val]) => `${k}=${val}`)
      .join(',');
    ctx.out.line(
      `${c.bold('Topic:')} ${v.topic}  TopicId: ${v.topicId}  PartitionCount: ${v.partitionCount}  ReplicationFactor: ${v.replicationFactor}  Configs: ${cfg}`,
    );
    ctx.out.table(
      ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'OFFLINE'],
      v.partitions.map((p) => {
        const bad = p.leader < 0 || p.isr.length < p.replicas.length;
        return [
          p.partition,
          p.leader < 0 ? c.red('none') : p.leader,
          p.replicas.join(','),
          bad ? c.yellow(p.isr.join(',') || 'none') : p.isr.join(','),
          p.offlineReplicas.join(','),
        ];
      }),
    );
  });
}

async function alter(args: string[], flags: TopicFlags): Promise<void> {
  const names = topicNames(args, flags);
  if (names.length === 0) throw usageError('name the topic to alter: --topic <name>');
  if (flags.partitions === undefined && flags.config === undefined && flags.deleteConfig === undefined)
    throw usageError('nothing to alter: give --partitions, --config or --delete-config');
  if (flags.replicationFactor !== undefined)
    throw usageError('changing the replication factor needs a partition reassignment, which vltava does not do yet');
  const count = flags.partitions === undefined ? undefined : parsePositiveInt(flags.partitions, '--partitions');
  const configs = configMap(flags.config);
  const ctx = await resolveContext(flags);
  const done: string[] = [];
  await withAdmin(ctx, async (admin) => {
    const existing = await admin.listTopics({ includeInternal: true });
    for (const topic of names) {
      if (!existing.includes(topic)) {
        if (flags.ifExists) continue;
        throw new CliError(`topic '${topic}' does not exist`);
      }
      if (count !== undefined) {
        const current = (await admin.describeTopics([topic]))[0]!.partitions.length;
        if (count < current) throw usageError(`topic '${topic}' has ${current} partitions; the count can only grow`);
        if (count > current) await admin.createPartitions([{ topic, count }]);
      }
      const operations = [
        ...Object.entries(configs).map(([name, value]) => ({ name, op: 'set' as const, value })),
        ...(flags.deleteConfig ?? [])
          .flatMap((k) => k.split(','))
          .map((name) => ({ name: name.trim(), op: 'delete' as const })),
      ];
      if (operations.length > 0) await admin.incrementalAlterConfigs([{ type: 'topic', name: topic, operations }]);
      done.push(topic);
    }
  });
  if (ctx.out.json) ctx.out.document(done.map((topic) => ({ topic, altered: true })));
  else for (const t of done) ctx.out.line(`Altered topic ${t}.`);
}

async function remove(args: string[], flags: TopicFlags): Promise<void> {
  const names = topicNames(args, flags);
  if (names.length === 0) throw usageError('name the topic to delete: --topic <name>');
  const ctx = await resolveContext(flags);
  const results: Array<{ topic: string; deleted: boolean }> = [];
  await withAdmin(ctx, async (admin) => {
    for (const topic of names) {
      try {
        await admin.deleteTopics([topic]);
        results.push({ topic, deleted: true });
      } catch (err) {
        if (flags.ifExists && isKafka(err, 'UNKNOWN_TOPIC_OR_PARTITION')) results.push({ topic, deleted: false });
        else if (isKafka(err, 'UNKNOWN_TOPIC_OR_PARTITION')) throw new CliError(`topic '${topic}' does not exist`);
        else throw err;
      }
    }
  });
  if (ctx.out.json) ctx.out.document(results);
  else
    for (const r of results) ctx.out.line(r.deleted ? `Deleted topic ${r.topic}.` : `Topic ${r.topic} does not exist.`);
}

export function registerTopicsCommand(program: Command): Command {
  const topics = program
    .command('topics')
    .alias('topic')
    .description('create, list, describe, alter and delete topics (kafka-topics)')
    .addHelpText(
      'after',
      examples(
        'vltava topics create --topic orders --partitions 3',
        'vltava topics list',
        'vltava topics describe --topic orders',
      ),
    );

  addConnectionOptions(
    topics
      .command('create')
      .description('create topics')
      .argument('[topics...]', 'topic names (or use --topic)')
      .option('--topic <name>', 'topic to create (repeatable, or comma-separated)', collect)
      .option('--partitions <n>', "number of partitions (default: the broker's num.partitions)")
      .option('--replication-factor <n>', "replicas per partition (default: the broker's default.replication.factor)")
      .option('--config <key=value>', 'topic config override, e.g. cleanup.policy=compact (repeatable)', collect)
      .option('--if-not-exists', 'succeed when the topic already exists'),
  )
    .addHelpText(
      'after',
      examples(
        'vltava topics create --topic orders --partitions 3 --replication-factor 1',
        'vltava topics create --topic users --config cleanup.policy=compact --if-not-exists',
        'vltava topics create logs metrics --partitions 6',
      ),
    )
    .action(action((args: string[], flags: TopicFlags) => create(args, flags)));

  addConnectionOptions(
    topics
      .command('list')
      .alias('ls')
      .description('list topic names')
      .option('--exclude-internal', 'leave out internal topics such as __consumer_offsets'),
  )
    .addHelpText('after', examples('vltava topics list', 'vltava topics list --exclude-internal --output json'))
    .action(action((flags: TopicFlags) => list(flags)));

  addConnectionOptions(
    topics
      .command('describe')
      .description('show partitions with leader, replicas and ISR, and non-default configs')
      .argument('[topics...]', 'topic names (default: all topics)')
      .option('--topic <name>', 'topic to describe (repeatable)', collect)
      .option('--exclude-internal', 'leave out internal topics when describing all')
      .option('--under-replicated-partitions', 'only partitions whose ISR is smaller than their replica set')
      .option('--under-min-isr-partitions', "only partitions whose ISR is smaller than the topic's min.insync.replicas")
      .option('--unavailable-partitions', 'only partitions without a live leader'),
  )
    .addHelpText(
      'after',
      examples(
        'vltava topics describe --topic orders',
        'vltava topics describe --under-replicated-partitions',
        'vltava topics describe orders --output json | jq ".[0].partitions"',
      ),
    )
    .action(action((args: string[], flags: TopicFlags) => describe(args, flags)));

  addConnectionOptions(
    topics
      .command('alter')
      .description('add partitions or change topic configs')
      .argument('[topics...]', 'topic names (or use --topic)')
      .option('--topic <name>', 'topic to alter (repeatable)', collect)
      .option('--partitions <n>', 'new (larger) partition count')
      .option('--replication-factor <n>', 'not supported (needs reassignment)')
      .option('--config <key=value>', 'set a topic config (repeatable)', collect)
      .option('--delete-config <key>', 'remove a topic config override (repeatable)', collect)
      .option('--if-exists', 'succeed when the topic does not exist'),
  )
    .addHelpText(
      'after',
      examples(
        'vltava topics alter --topic orders --partitions 6',
        'vltava topics alter --topic orders --config retention.ms=3600000',
      ),
    )
    .action(action((args: string[], flags: TopicFlags) => alter(args, flags)));

  addConnectionOptions(
    topics
      .command('delete')
      .alias('rm')
      .description('delete topics and their data')
      .argument('[topics...]', 'topic names (or use --topic)')
      .option('--topic <name>', 'topic to delete (repeatable)', collect)
      .option('--if-exists', 'succeed when the topic does not exist'),
  )
    .addHelpText(
      'after',
      examples('vltava topics delete --topic orders', 'vltava topics delete old-1 old-2 --if-exists'),
    )
    .action(action((args: string[], flags: TopicFlags) => remove(args, flags)));
  return topics;
}
