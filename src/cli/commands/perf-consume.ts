/**
 * `vltava perf consume` — kafka-consumer-perf-test: reads --messages records (from the earliest
 * offset unless --from-latest) and reports records/s and MB/s, with the time spent joining the
 * group (or finding offsets) separated from fetch time as Kafka does. Without --group the
 * partitions are assigned directly, which measures fetching without a rebalance.
 * The global --timeout is also the longest wait between records, like Kafka's --timeout here.
 */
import type { Command } from 'commander';
import { Consumer, type TopicPartition } from '../../client/consumer/consumer.js';
import { consumerOptionsFrom, propertiesFrom } from '../support/client-properties.js';
import { action, examples } from '../support/command.js';
import {
  addConnectionOptions,
  type ConnectionFlags,
  parsePositiveInt,
  resolveContext,
  withTimeout,
} from '../support/context.js';
import { CliError, ExitCode } from '../support/errors.js';
import { PerfStats, ProgressLine } from './perf-stats.js';

interface ConsumePerfFlags extends ConnectionFlags {
  topic: string;
  messages: string;
  group?: string;
  fromLatest?: boolean;
  consumerProps?: string[];
  'consumer.config'?: string;
}

async function consumePerf(flags: ConsumePerfFlags): Promise<number> {
  const messages = parsePositiveInt(flags.messages, '--messages');
  const ctx = await resolveContext(flags, {
    properties: propertiesFrom(flags.consumerProps ?? [], '--consumer-props'),
    propertiesFile: flags['consumer.config'],
  });
  const options = consumerOptionsFrom(ctx.properties, ctx.clientOptions);
  const groupId = flags.group ?? options.groupId;
  const consumer = new Consumer<Buffer, Buffer>({
    ...options,
    groupId,
    autoOffsetReset: flags.fromLatest ? 'latest' : 'earliest',
    enableAutoCommit: groupId !== undefined,
  });
  const stats = new PerfStats(messages);
  const progress = new ProgressLine();
  const startedAt = performance.now();
  let firstRecordAt: number | undefined;
  let timedOut = false;
  try {
    await withTimeout(ctx, 'connecting', consumer.connect());
    const info = (
      await withTimeout(
        ctx,
        `looking up topic '${flags.topic}'`,
        consumer.cluster.ensureTopics([flags.topic], { autoCreate: false, required: false }),
      )
    ).get(flags.topic);
    if (!info) throw new CliError(`topic '${flags.topic}' does not exist`);
    if (groupId !== undefined) await consumer.subscribe([flags.topic]);
    else {
      const tps: TopicPartition[] = info.partitions.map((p) => ({ topic: flags.topic, partition: p.partition }));
      await consumer.assign(tps);
      await withTimeout(
        ctx,
        'finding start offsets',
        flags.fromLatest ? consumer.seekToEnd(tps) : consumer.seekToBeginning(tps),
      );
    }
    progress.start(() => stats.window(messages));
    let lastRecordAt = performance.now();
    while (stats.records < messages) {
      const records = await consumer.poll({ maxRecords: Math.min(10_000, messages - stats.records), timeoutMs: 1_000 });
      const now = performance.now();
      if (records.length === 0) {
        if (now - lastRecordAt > ctx.timeoutMs) {
          timedOut = true;
          break;
        }
        continue;
      }
      firstRecordAt ??= now;
      lastRecordAt = now;
      for (const r of records) stats.record((r.value?.length ?? 0) + (r.key?.length ?? 0));
    }
  } finally {
    progress.stop();
    await consumer.close().catch(() => {});
  }
  const end = performance.now();
  const summary = stats.summary(false, end - startedAt);
  const fetchMs = firstRecordAt === undefined ? 0 : end - firstRecordAt;
  const result = {
    ...summary,
    // Kafka's rebalance.time.ms: joining/seeking before the first record; fetch.* exclude it.
    rebalanceTimeMs: Math.round((firstRecordAt ?? end) - startedAt),
    fetchTimeMs: Math.round(fetchMs),
    fetchRecordsPerSec: fetchMs > 0 ? Math.round((summary.records / fetchMs) * 1000) : 0,
    fetchMbPerSec: fetchMs > 0 ? Math.round((summary.bytes / 1024 / 1024 / (fetchMs / 1000)) * 100) / 100 : 0,
    timedOut,
  };
  if (ctx.out.json) ctx.out.document(result);
  else {
    ctx.out.table(
      [
        'RECORDS',
        'MB',
        'RECORDS/SEC',
        'MB/SEC',
        'ELAPSED-MS',
        'REBALANCE-MS',
        'FETCH-MS',
        'FETCH-RECORDS/SEC',
        'FETCH-MB/SEC',
      ],
      [
        [
          result.records,
          (result.bytes / 1024 / 1024).toFixed(2),
          result.recordsPerSec,
          result.mbPerSec,
          result.elapsedMs,
          result.rebalanceTimeMs,
          result.fetchTimeMs,
          result.fetchRecordsPerSec,
          result.fetchMbPerSec,
        ],
      ],
    );
  }
  if (timedOut) {
    process.stderr.write(
      `vltava: no record for ${ctx.timeoutMs} ms after ${stats.records} of ${messages} messages (--timeout to wait longer)\n`,
    );
    return ExitCode.FAILURE;
  }
  return ExitCode.OK;
}

export function registerPerfConsume(perf: Command): void {
  const cmd = perf
    .command('consume')
    .description('measure consumer throughput (kafka-consumer-perf-test)')
    .requiredOption('--topic <name>', 'topic to read')
    .requiredOption('--messages <n>', 'number of records to read')
    .option('--group <id>', 'consume as this group (default: assign partitions, no group)')
    .option('--from-latest', 'start at the log end instead of the beginning')
    .option('--consumer-props <k=v...>', 'consumer configs, e.g. fetch.max.wait.ms=100')
    .option('--consumer.config <file>', 'consumer properties file');
  addConnectionOptions(cmd)
    .addHelpText(
      'after',
      examples(
        'vltava perf consume --topic perf --messages 1000000',
        'vltava perf consume --topic perf --messages 100000 --group perf-test --output json',
      ),
    )
    .action(action((flags: ConsumePerfFlags) => consumePerf(flags)));
}
