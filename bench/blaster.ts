/**
 * Blaster: the broker's own ceiling on the produce path. Replays pre-encoded Produce v9 requests
 * (one RecordBatch per request, records built once) over several connections, each with a
 * bounded window of requests in flight, against a broker running in its own process. No client
 * library cost: per request the load generator does one socket write and decodes one small response.
 *
 *   node dist/bench/blaster.js [--smoke] [--seconds N] [--connections N] [--window N]
 *                              [--profile DIR] [--out FILE]
 *
 * Workloads: 1 MiB requests of 1 KiB records with acks=1 and acks=-1; 1 MiB requests of 100 B
 * records with acks=1. Connection i produces to partition i of its topic (one partition per
 * connection, like independent producers). --profile runs the broker under `node --cpu-prof`
 * for the first workload and writes a top-functions table.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeRequestFrame } from '../src/protocol/framing.js';
import type { ProduceRequest, ProduceResponse } from '../src/protocol/messages/00-produce.js';
import { decodeResponseFrame } from '../src/protocol/framing.js';
import { encodeRecordBatch } from '../src/protocol/records/index.js';
import { LatencyHistogram, type LatencySummary } from './lib/histogram.js';
import { type BrokerProcess, HOST, rssMiB, spawnBroker } from './lib/processes.js';
import { syncDisks } from './lib/machine-limits.js';
import { summariseProfile } from './lib/profile.js';
import { argNumber, argValue, printTables, type Row, type Table, writeReport } from './lib/report.js';
import { API, createTopic, WireConnection } from './lib/wire.js';

export interface BlastOptions {
  port: number;
  topic: string;
  connections: number;
  window: number;
  recordBytes: number;
  requestBytes: number;
  acks: number;
  durationMs: number;
  warmupMs: number;
  /** Fixed number of records per request (default: as many as fit in requestBytes). */
  recordsPerBatch?: number;
  /** Sample this PID's RSS while blasting (the broker). */
  samplePid?: number;
}

export interface BlastResult {
  workload: string;
  acks: number;
  recordBytes: number;
  recordsPerRequest: number;
  connections: number;
  window: number;
  requests: number;
  seconds: number;
  /** Request bytes on the wire (frames, batch and record headers included) per second. */
  MBps: number;
  /** Record values only (records x recordBytes) per second: what clients' MB/s figures count. */
  payloadMBps: number;
  recordsPerSec: number;
  errors: number;
  /** Records acknowledged over the whole run (warm-up and drain too) and the partitions' log end offsets after it: equal, or the row counts an error. */
  ackedRecords: number;
  storedRecords: number;
  latency: LatencySummary;
  peakRssMiB: number | null;
}

/** Topic configs for bench topics: bounded on disk, because the blaster writes GBs. */
export const BENCH_TOPIC_CONFIGS = {
  'retention.bytes': String(512 * 1024 * 1024),
  'segment.bytes': String(128 * 1024 * 1024),
};
export const BENCH_BROKER_OVERRIDES = { 'log.retention.check.interval.ms': '2000' };

function produceFrame(
  topic: string,
  partition: number,
  recordBytes: number,
  requestBytes: number,
  acks: number,
  recordsPerBatch?: number,
): { frame: Buffer; records: number } {
  const value = randomBytes(recordBytes);
  // The batch must stay under message.max.bytes (Kafka's default 1 MiB + 12), so shrink until it fits.
  const build = (n: number) =>
    encodeRecordBatch({
      baseTimestamp: Date.now(),
      producerId: -1n,
      producerEpoch: -1,
      baseSequence: -1,
      records: Array.from({ length: n }, (_, i) => ({ key: null, value, timestampDelta: i })),
    });
  let n = recordsPerBatch ?? Math.max(1, Math.floor(requestBytes / recordBytes));
  let batch = build(n);
  while (recordsPerBatch === undefined && batch.length > requestBytes - 512 && n > 1) {
    n = Math.max(1, Math.floor((n * (requestBytes - 512)) / batch.length));
    batch = build(n);
  }
  const request: ProduceRequest = {
    transactionalId: null,
    acks,
    timeoutMs: 30000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
  };
  const frame = encodeRequestFrame(
    { requestApiKey: API.PRODUCE, requestApiVersion: 9, correlationId: 1, clientId: 'blaster' },
    request,
  );
  return { frame, records: n };
}

function responseErrors(frame: Buffer): number {
  const res = decodeResponseFrame(frame, API.PRODUCE, 9).response as ProduceResponse;
  let errors = 0;
  for (const t of res.responses) for (const p of t.partitionResponses) if (p.errorCode !== 0) errors++;
  return errors;
}

/** Sum of the log end offsets of partitions 0..n-1 of `topic` (ListOffsets, latest). */
async function logEndOffsets(port: number, topic: string, partitions: number): Promise<number> {
  const conn = await WireConnection.connect(HOST, port);
  try {
    const res = await conn.request<{ topics: { partitions: { errorCode: number; offset: bigint }[] }[] }>(
      API.LIST_OFFSETS,
      4,
      {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          {
            name: topic,
            partitions: Array.from({ length: partitions }, (_, i) => ({
              partitionIndex: i,
              currentLeaderEpoch: -1,
              timestamp: -1n,
              maxNumOffsets: 1,
            })),
          },
        ],
      },
    );
    let sum = 0;
    for (const p of res.topics[0]!.partitions) {
      if (p.errorCode !== 0) throw new Error(`ListOffsets error ${p.errorCode}`);
      sum += Number(p.offset);
    }
    return sum;
  } finally {
    conn.close();
  }
}

export async function blast(o: BlastOptions): Promise<BlastResult> {
  const admin = await WireConnection.connect(HOST, o.port);
  await createTopic(admin, o.topic, o.connections, BENCH_TOPIC_CONFIGS);
  admin.close();
  const conns = await Promise.all(Array.from({ length: o.connections }, () => WireConnection.connect(HOST, o.port)));
  const frames = conns.map((_, i) =>
    produceFrame(o.topic, i, o.recordBytes, o.requestBytes, o.acks, o.recordsPerBatch),
  );
  const hist = new LatencyHistogram();
  const t0 = performance.now();
  const measureFrom = t0 + o.warmupMs;
  const end = measureFrom + o.durationMs;
  let requests = 0;
  let bytes = 0;
  let records = 0;
  let errors = 0;
  let acked = 0;
  let peakRss: number | null = null;
  const sampler =
    o.samplePid === undefined
      ? undefined
      : setInterval(async () => {
          const r = await rssMiB(o.samplePid!);
          if (r) peakRss = Math.max(peakRss ?? 0, r.hwm);
        }, 200);
  // `window` lanes per connection share it; responses arrive in order, so at most `window` are in flight.
  const lane = async (conn: WireConnection, f: { frame: Buffer; records: number }) => {
    while (performance.now() < end) {
      const sent = performance.now();
      const response = await conn.sendFrame(f.frame);
      const now = performance.now();
      // Errors count over the whole run (warm-up and drain too); only answered-without-error
      // requests count as throughput.
      const failed = responseErrors(response);
      errors += failed;
      if (failed === 0) acked += f.records;
      if (failed === 0 && sent >= measureFrom && now <= end) {
        hist.recordMs(now - sent);
        requests++;
        bytes += f.frame.length;
        records += f.records;
      }
    }
  };
  await Promise.all(conns.flatMap((c, i) => Array.from({ length: o.window }, () => lane(c, frames[i]!))));
  if (sampler) clearInterval(sampler);
  for (const c of conns) c.close();
  // Every acknowledged record must be in the log: the log end offsets add up to what was acked.
  const stored = await logEndOffsets(o.port, o.topic, o.connections);
  if (stored !== acked) errors++;
  const seconds = o.durationMs / 1000;
  const recordsPerRequest = frames[0]!.records;
  return {
    workload: `${o.recordBytes} B records, ${frames[0]!.records} per request (${(frames[0]!.frame.length / 1024).toFixed(0)} KiB), acks=${o.acks}`,
    acks: o.acks,
    recordBytes: o.recordBytes,
    recordsPerRequest,
    connections: o.connections,
    window: o.window,
    requests,
    seconds,
    MBps: bytes / 1e6 / seconds,
    payloadMBps: (records * o.recordBytes) / 1e6 / seconds,
    recordsPerSec: records / seconds,
    errors,
    ackedRecords: acked,
    storedRecords: stored,
    latency: hist.summary(),
    peakRssMiB: peakRss,
  };
}

export function blastRow(r: BlastResult): Row {
  return {
    workload: r.workload,
    conns: r.connections,
    window: r.window,
    requests: r.requests,
    'MB/s': r.MBps,
    'payload MB/s': r.payloadMBps,
    'records/s': r.recordsPerSec,
    'p50 ms': r.latency.p50Ms,
    'p99 ms': r.latency.p99Ms,
    'p99.9 ms': r.latency.p999Ms,
    'max ms': r.latency.maxMs,
    errors: r.errors,
    'log end = acked': r.storedRecords === r.ackedRecords ? 'yes' : `NO (${r.storedRecords} != ${r.ackedRecords})`,
  };
}

export interface BlasterRun {
  results: BlastResult[];
  profile?: { totalMs: number; rows: Row[]; file: string };
}

export async function runBlaster(argv: string[]): Promise<BlasterRun> {
  const smoke = argv.includes('--smoke');
  const seconds = argNumber(argv, '--seconds', smoke ? 0.3 : 8);
  const connections = argNumber(argv, '--connections', smoke ? 2 : 4);
  const window = argNumber(argv, '--window', smoke ? 2 : 4);
  const requestBytes = smoke ? 64 * 1024 : 1024 * 1024;
  const profileDir = argValue(argv, '--profile');
  const workloads = [
    { recordBytes: 1024, acks: 1 },
    { recordBytes: 1024, acks: -1 },
    { recordBytes: 100, acks: 1 },
    // 10 KiB records complete the throughput-vs-record-size curve (full runs only).
    ...(smoke ? [] : [{ recordBytes: 10240, acks: 1 }]),
  ];
  const results: BlastResult[] = [];
  let profile: BlasterRun['profile'];
  for (const [i, w] of workloads.entries()) {
    const profiling = profileDir !== undefined && i === 0;
    if (profiling) await mkdir(profileDir!, { recursive: true });
    // Untimed: the kernel writes back what earlier workloads (and benches) left dirty now rather
    // than during this one, as the matrix bench does before each row.
    await syncDisks();
    const broker: BrokerProcess = await spawnBroker({
      overrides: BENCH_BROKER_OVERRIDES,
      nodeFlags: profiling ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    });
    try {
      results.push(
        await blast({
          port: broker.port,
          topic: `blast-${w.recordBytes}-${w.acks}`,
          connections,
          window,
          recordBytes: w.recordBytes,
          requestBytes,
          acks: w.acks,
          durationMs: seconds * 1000,
          warmupMs: smoke ? 100 : 1500,
          samplePid: broker.child.pid,
        }),
      );
    } finally {
      await broker.stop();
    }
    if (profiling) {
      const files = (await readdir(profileDir!)).filter((f) => f.endsWith('.cpuprofile')).sort();
      const file = join(profileDir!, files[files.length - 1]!);
      profile = { ...(await summariseProfile(file, 25)), file };
    }
  }
  return { results, ...(profile ? { profile } : {}) };
}

export function blasterTables(run: BlasterRun): Table[] {
  const tables: Table[] = [
    {
      title: 'blaster: pre-encoded Produce v9 requests against a broker process',
      rows: run.results.map(blastRow),
      note:
        'MB/s counts request bytes on the wire (1e6 bytes); payload MB/s only the record values, as the clients\' figures do. ' +
        'Only requests answered without error count. Latency: request write to response, per request.',
    },
  ];
  if (run.profile) {
    tables.push({
      title: `broker CPU profile under the blaster (1 KiB records, acks=1), top self time of ${run.profile.totalMs.toFixed(0)} ms sampled`,
      rows: run.profile.rows,
    });
  }
  return tables;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const smoke = argv.includes('--smoke');
  const run = await runBlaster(argv);
  const tables = blasterTables(run);
  printTables(tables);
  const out = argValue(argv, '--out') ?? (smoke ? null : 'bench/results/blaster.json');
  if (out) {
    writeReport(out, {
      benchmark: 'blaster',
      script: 'dist/bench/blaster.js',
      argv,
      workload:
        'Pre-encoded Produce v9 requests, one uncompressed RecordBatch per request (null keys, random values, ' +
        'producerId -1), replayed over N connections with a window of W requests in flight each; one partition per ' +
        'connection; broker = `vltava server start` in its own process with default flush policy (no fsync per batch).',
      tables,
      data: { results: run.results, profile: run.profile ?? null },
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
