/**
 * `vltava perf produce` — kafka-producer-perf-test: --topic, --num-records, --record-size or
 * --payload-file, --throughput (records/s, -1 = as fast as possible), --producer-props k=v...,
 * --producer.config. One random payload of --record-size bytes is reused for every record, as
 * Kafka does, so the producer (not payload generation) is what is measured.
 */
import { readFile } from 'node:fs/promises';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { Producer, type ProducerOptions } from '../../client/producer/producer.js';
import { producerOptionsFrom, propertiesFrom } from '../support/client-properties.js';
import { action, examples } from '../support/command.js';
import {
  addConnectionOptions,
  type ConnectionFlags,
  parsePositiveInt,
  resolveContext,
  withTimeout,
} from '../support/context.js';
import { CliError, ExitCode, usageError } from '../support/errors.js';
import type { Printer } from '../support/output.js';
import { type PerfSummary, PerfStats, ProgressLine } from './perf-stats.js';

interface ProducePerfFlags extends ConnectionFlags {
  topic: string;
  numRecords: string;
  recordSize?: string;
  payloadFile?: string;
  payloadDelimiter?: string;
  throughput: string;
  producerProps?: string[];
  'producer.config'?: string;
}

export interface ProducePerfOptions {
  topic: string;
  numRecords: number;
  /** Payloads to cycle through (Kafka: one random payload of --record-size, or lines of a file). */
  payloads: Buffer[];
  /** Records per second; <= 0 means unthrottled. */
  throughput: number;
  producer: ProducerOptions;
  connectTimeoutMs: number;
  onProgress?: (stats: PerfStats) => void;
}

/** Random uppercase letters, like Kafka's perf test, so compression has realistic work to do. */
export function randomPayload(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = 65 + Math.floor(Math.random() * 26);
  return b;
}

export async function runProducePerf(o: ProducePerfOptions): Promise<PerfSummary> {
  const producer = new Producer(o.producer);
  const stats = new PerfStats(o.numRecords);
  let firstError: unknown;
  try {
    await withTimeout(
      { timeoutMs: o.connectTimeoutMs, bootstrapServers: String(o.producer.bootstrapServers) },
      'connecting',
      producer.connect(),
    );
    await withTimeout(
      { timeoutMs: o.connectTimeoutMs, bootstrapServers: String(o.producer.bootstrapServers) },
      `looking up topic '${o.topic}'`,
      producer.cluster.ensureTopics([o.topic], { autoCreate: producer.cluster.allowAutoTopicCreation }),
    );
    o.onProgress?.(stats);
    const start = performance.now();
    const intervalMs = o.throughput > 0 ? 1000 / o.throughput : 0;
    for (let i = 0; i < o.numRecords; i++) {
      const value = o.payloads[i % o.payloads.length]!;
      if (intervalMs > 0) {
        // Throttle like Kafka's ThroughputThrottler: wait when ahead of the target schedule.
        const due = start + i * intervalMs;
        const ahead = due - performance.now();
        if (ahead > 1) await sleep(ahead);
      }
      if (!producer.writable) await producer.waitForSpace();
      else if (i % 4096 === 4095) await yieldToLoop(); // let the sender and the progress timer run
      const sentAt = performance.now();
      producer.send({ topic: o.topic, value }).then(
        () => stats.record(value.length, performance.now() - sentAt),
        (err) => {
          stats.errors++;
          firstError ??= err;
        },
      );
    }
    await producer.flush();
    // flush resolves when the sender is idle; the per-record callbacks run right after.
    await yieldToLoop();
    const summary = stats.summary(true, performance.now() - start);
    if (firstError !== undefined && summary.records === 0) throw firstError;
    return summary;
  } finally {
    await producer.close(5_000).catch(() => {});
  }
}

export function printProduceSummary(out: Printer, s: PerfSummary): void {
  if (out.json) {
    out.document(s);
    return;
  }
  const l = s.latencyMs!;
  // Kafka's final line, so existing scripts that scrape it keep working.
  out.line(
    `${s.records} records sent, ${s.recordsPerSec.toFixed(1)} records/sec (${s.mbPerSec.toFixed(2)} MB/sec), ${l.avg.toFixed(2)} ms avg latency, ${l.max.toFixed(2)} ms max latency, ${l.p50.toFixed(2)} ms 50th, ${l.p95.toFixed(2)} ms 95th, ${l.p99.toFixed(2)} ms 99th, ${l.p999.toFixed(2)} ms 99.9th.`,
  );
  if (s.errors > 0) out.line(`${s.errors} records failed.`);
}

async function producePerf(flags: ProducePerfFlags): Promise<number> {
  const numRecords = parsePositiveInt(flags.numRecords, '--num-records');
  const throughput = Number(flags.throughput);
  if (!Number.isFinite(throughput) || throughput === 0)
    throw usageError(`--throughput expects records/s or -1 for unlimited, got '${flags.throughput}'`);
  if ((flags.recordSize === undefined) === (flags.payloadFile === undefined))
    throw usageError('give either --record-size or --payload-file');
  let payloads: Buffer[];
  if (flags.recordSize !== undefined) payloads = [randomPayload(parsePositiveInt(flags.recordSize, '--record-size'))];
  else {
    const delimiter = (flags.payloadDelimiter ?? '\\n').replace(/\\n/g, '\n').replace(/\\t/g, '\t');
    payloads = (await readFile(flags.payloadFile!, 'utf8'))
      .split(delimiter)
      .filter((p) => p !== '')
      .map((p) => Buffer.from(p, 'utf8'));
    if (payloads.length === 0) throw usageError(`--payload-file ${flags.payloadFile} has no payloads`);
  }
  const props = propertiesFrom(flags.producerProps ?? [], '--producer-props');
  const ctx = await resolveContext(flags, { properties: props, propertiesFile: flags['producer.config'] });
  const progress = new ProgressLine();
  let summary: PerfSummary;
  try {
    summary = await runProducePerf({
      topic: flags.topic,
      numRecords,
      payloads,
      throughput,
      producer: producerOptionsFrom(ctx.properties, ctx.clientOptions),
      connectTimeoutMs: ctx.timeoutMs,
      onProgress: (stats) => progress.start(() => stats.window(numRecords)),
    });
  } finally {
    progress.stop();
  }
  printProduceSummary(ctx.out, summary);
  if (summary.errors > 0) {
    if (summary.records === 0) throw new CliError(`all ${summary.errors} records failed`);
    return ExitCode.FAILURE;
  }
  return ExitCode.OK;
}

export function registerPerfProduce(perf: Command): void {
  const cmd = perf
    .command('produce')
    .description('measure producer throughput and latency (kafka-producer-perf-test)')
    .requiredOption('--topic <name>', 'topic to write to')
    .requiredOption('--num-records <n>', 'number of records to send')
    .option('--record-size <bytes>', 'size of each record')
    .option('--payload-file <file>', 'send payloads from this file instead (split by --payload-delimiter)')
    .option('--payload-delimiter <s>', 'payload separator in --payload-file (default \\n)')
    .requiredOption('--throughput <n>', 'target records/sec; -1 for as fast as possible')
    .option('--producer-props <k=v...>', 'producer configs, e.g. acks=1 linger.ms=5 batch.size=65536')
    .option('--producer.config <file>', 'producer properties file');
  addConnectionOptions(cmd)
    .addHelpText(
      'after',
      `
On a terminal a progress line is rewritten every second (stderr); the summary (stdout) ends with
Kafka's line: records/sec, MB/sec, avg/max latency and the 50th/95th/99th/99.9th percentiles.
${examples('vltava perf produce --topic perf --num-records 1000000 --record-size 100 --throughput -1', 'vltava perf produce --topic perf --num-records 100000 --record-size 1024 --throughput 20000 --producer-props acks=1 linger.ms=5 --output json')}`,
    )
    .action(action((flags: ProducePerfFlags) => producePerf(flags)));
}
