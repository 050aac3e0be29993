/**
 * `vltava consume` — kafka-console-consumer.sh with kcat touches: --from-beginning, --offset,
 * --partition, --group, --max-messages, --timeout-ms, --isolation-level, Kafka's print.*
 * properties, a kcat-like --format template and --output json (one object per line).
 *
 * Without --group it assigns the partitions itself and commits nothing, so reading a topic
 * leaves no trace on the cluster (Kafka's tool would create a console-consumer-NNNN group).
 * With --group it subscribes (or, with --partition, assigns and commits to the group) and, on
 * the way out, commits exactly the records it printed: --max-messages 5 leaves the group's
 * offsets just past the fifth record, so `groups describe` shows the lag a person expects.
 */
import type { Command } from 'commander';
import { Consumer, type TopicPartition } from '../../client/consumer/consumer.js';
import { consumerOptionsFrom, propertiesFrom } from '../support/client-properties.js';
import { action, collect, examples } from '../support/command.js';
import {
  addConnectionOptions,
  type ConnectionFlags,
  parsePositiveInt,
  resolveContext,
  withTimeout,
} from '../support/context.js';
import { CliError, usageError } from '../support/errors.js';
import { type Formatter, jsonFormatter, propertyFormatter, type Rec, templateFormatter } from './consume-format.js';

interface ConsumeFlags extends ConnectionFlags {
  topic: string;
  group?: string;
  fromBeginning?: boolean;
  offset?: string;
  partition?: string;
  maxMessages?: string;
  timeoutMs?: string;
  isolationLevel?: string;
  property?: string[];
  consumerProperty?: string[];
  'consumer.config'?: string;
  format?: string;
}

type StartAt =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: number }
  | { kind: 'fromEnd'; count: number }
  | { kind: 'committed' };

function startAt(flags: ConsumeFlags): StartAt {
  if (flags.offset !== undefined && flags.fromBeginning)
    throw usageError('--offset and --from-beginning cannot be used together');
  if (flags.offset !== undefined && flags.group !== undefined && flags.partition === undefined)
    throw usageError('--offset with --group needs --partition (a subscribed group starts from its committed offsets)');
  if (flags.offset === undefined)
    return flags.fromBeginning
      ? { kind: 'earliest' }
      : flags.group !== undefined
        ? { kind: 'committed' }
        : { kind: 'latest' };
  const o = flags.offset.trim().toLowerCase();
  if (o === 'earliest' || o === 'beginning') return { kind: 'earliest' };
  if (o === 'latest' || o === 'end') return { kind: 'latest' };
  const n = Number(o);
  if (!Number.isInteger(n))
    throw usageError(`--offset must be earliest, latest, an offset or -N (N before the end), got '${flags.offset}'`);
  return n >= 0 ? { kind: 'offset', offset: n } : { kind: 'fromEnd', count: -n };
}

function formatterFor(flags: ConsumeFlags): Formatter {
  if (flags.output === 'json') {
    if (flags.format !== undefined) throw usageError('--format and --output json cannot be used together');
    return jsonFormatter;
  }
  if (flags.format !== undefined) return templateFormatter(flags.format);
  return propertyFormatter(propertiesFrom(flags.property ?? [], '--property'));
}

async function consume(flags: ConsumeFlags): Promise<void> {
  const start = startAt(flags);
  const format = formatterFor(flags);
  const maxMessages =
    flags.maxMessages === undefined ? Number.POSITIVE_INFINITY : parsePositiveInt(flags.maxMessages, '--max-messages');
  const idleTimeoutMs =
    flags.timeoutMs === undefined ? Number.POSITIVE_INFINITY : parsePositiveInt(flags.timeoutMs, '--timeout-ms');
  const partition = flags.partition === undefined ? undefined : parsePositiveInt(flags.partition, '--partition', 0);
  const iso = flags.isolationLevel?.trim().toLowerCase();
  if (iso !== undefined && iso !== 'read_committed' && iso !== 'read_uncommitted')
    throw usageError(`--isolation-level must be read_committed or read_uncommitted, got '${flags.isolationLevel}'`);
  const ctx = await resolveContext(flags, {
    properties: propertiesFrom(flags.consumerProperty ?? [], '--consumer-property'),
    propertiesFile: flags['consumer.config'],
  });
  const options = consumerOptionsFrom(ctx.properties, ctx.clientOptions);
  const groupId = flags.group ?? options.groupId;
  const consumer = new Consumer<Buffer, Buffer>({
    ...options,
    groupId,
    autoOffsetReset: start.kind === 'earliest' ? 'earliest' : (options.autoOffsetReset ?? 'latest'),
    isolationLevel: (iso as 'read_committed' | undefined) ?? options.isolationLevel,
    // Only a group consumer commits; the final commit below is exact, auto-commit covers crashes.
    enableAutoCommit: groupId !== undefined && (options.enableAutoCommit ?? true),
  });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let stdoutBroken = false;
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    // `vltava consume ... | head` closes the pipe: stop quietly, like any Unix filter.
    if (err.code === 'EPIPE') stdoutBroken = true;
    stop.abort();
  };
  process.stdout.on('error', onStdoutError);
  let count = 0;
  const printed = new Map<string, { topic: string; partition: number; offset: number }>();
  try {
    await withTimeout(ctx, 'connecting', consumer.connect());
    const info = (
      await withTimeout(
        ctx,
        `looking up topic '${flags.topic}'`,
        consumer.cluster.ensureTopics([flags.topic], { autoCreate: false, timeoutMs: ctx.timeoutMs, required: false }),
      )
    ).get(flags.topic);
    if (!info) throw new CliError(`topic '${flags.topic}' does not exist`);
    if (partition !== undefined && partition >= info.partitions.length)
      throw usageError(`--partition ${partition}: topic '${flags.topic}' has ${info.partitions.length} partitions`);
    if (groupId !== undefined && partition === undefined) {
      await consumer.subscribe([flags.topic]);
    } else {
      const tps: TopicPartition[] =
        partition !== undefined
          ? [{ topic: flags.topic, partition }]
          : info.partitions.map((p) => ({ topic: flags.topic, partition: p.partition }));
      await consumer.assign(tps);
      await withTimeout(ctx, 'finding start offsets', seekAll(consumer, tps, start));
    }
    let lastRecordAt = Date.now();
    while (!stop.signal.aborted && count < maxMessages) {
      const idleLeft = idleTimeoutMs - (Date.now() - lastRecordAt);
      if (idleLeft <= 0) break;
      const records: Rec[] = await consumer.poll({
        maxRecords: Math.min(500, maxMessages - count),
        timeoutMs: Math.min(1_000, idleLeft),
        signal: stop.signal,
      });
      if (records.length > 0) lastRecordAt = Date.now();
      for (const r of records) {
        if (count >= maxMessages || stop.signal.aborted) break;
        if (!process.stdout.write(format(r)))
          await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
        count++;
        printed.set(`${r.topic}\u0000${r.partition}`, { topic: r.topic, partition: r.partition, offset: r.offset + 1 });
      }
    }
    if (groupId !== undefined && printed.size > 0)
      await withTimeout(ctx, 'committing offsets', consumer.commit([...printed.values()]));
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await Promise.race([consumer.close(), new Promise((r) => setTimeout(r, ctx.timeoutMs).unref())]).catch(() => {});
    if (!stdoutBroken) process.stderr.write(`Processed a total of ${count} messages\n`);
  }
}

async function seekAll(consumer: Consumer<Buffer, Buffer>, tps: TopicPartition[], start: StartAt): Promise<void> {
  switch (start.kind) {
    case 'earliest':
      return consumer.seekToBeginning(tps);
    case 'latest':
      return consumer.seekToEnd(tps);
    case 'offset':
      for (const tp of tps) consumer.seek(tp, start.offset);
      return;
    case 'fromEnd': {
      // kcat's -o -N: the last N records of each partition (never before the log start).
      await consumer.seekToBeginning(tps);
      const begin = tps.map((tp) => consumer.position(tp));
      await consumer.seekToEnd(tps);
      for (const [i, tp] of tps.entries()) consumer.seek(tp, Math.max(begin[i]!, consumer.position(tp) - start.count));
      return;
    }
    case 'committed':
      return; // the consumer resolves committed offsets, then auto.offset.reset
  }
}

export function registerConsumeCommand(program: Command): Command {
  const cmd = program
    .command('consume')
    .description('print records from a topic (kafka-console-consumer)')
    .requiredOption('--topic <name>', 'topic to read')
    .option('--from-beginning', 'start at the earliest offset (with --group: when the group has no committed offset)')
    .option('--offset <offset>', 'earliest, latest, an offset, or -N for the last N records of each partition')
    .option('--partition <n>', 'read only this partition')
    .option('--group <id>', 'consume as this consumer group and commit what was printed')
    .option('--max-messages <n>', 'exit after printing this many records')
    .option('--timeout-ms <ms>', 'exit when no record arrives for this long')
    .option('--isolation-level <level>', 'read_uncommitted (default) or read_committed')
    .option(
      '--property <key=value>',
      'printing: print.key, print.timestamp, print.partition, print.offset, print.headers, print.value, key.separator, line.separator, headers.separator, headers.key.separator, null.literal (repeatable)',
      collect,
    )
    .option(
      '--format <template>',
      'kcat-style template: %t topic %p partition %o offset %k key %s value %K/%S key/value length %T timestamp %h headers',
    )
    .option('--consumer-property <key=value>', 'consumer config, e.g. fetch.max.wait.ms=100 (repeatable)', collect)
    .option('--consumer.config <file>', 'consumer properties file');
  addConnectionOptions(cmd)
    .addHelpText(
      'after',
      `
Stops at --max-messages, after --timeout-ms without records, or on Ctrl-C; then prints
"Processed a total of N messages" on stderr. --output json prints one object per line:
{"topic","partition","offset","timestamp","key","value","headers":[{"key","value"}]}.
${examples(
  'vltava consume --topic orders --from-beginning',
  'vltava consume --topic orders --from-beginning --property print.key=true --property key.separator=:',
  "vltava consume --topic orders --offset -10 --format '%p/%o %k=%s\\n'",
  'vltava consume --topic orders --group billing --max-messages 100 --output json',
)}`,
    )
    .action(action((flags: ConsumeFlags) => consume(flags)));
  return cmd;
}
