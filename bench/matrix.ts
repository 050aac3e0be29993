/**
 * Workload matrix (issue 8, scope items 2 and 3): rdperf (librdkafka from C, bench/tools/rdperf.c)
 * against one `vltava server start` process. A base case — 1 KiB records, acks=1, 1 partition,
 * 1 producer, no compression — and one factor varied at a time: record size 100 B / 10 KiB, acks
 * 0 / all, 4 / 16 partitions, 8 producers, lz4 / zstd. Then consumers reading the base topic from
 * the page cache and from disk (page cache dropped, root only) and the 16-partition topic, and
 * produce-to-consume latency at a fixed rate. Each figure is also given as a ratio to the machine's
 * limits measured at the start of the same run (page-cache write, fdatasync write, loopback TCP).
 *
 *   node dist/bench/matrix.js [--smoke] [--repeat 5] [--out FILE]
 *
 * The machine is shared and noisy, so the matrix runs --repeat passes (5; smoke 1) and each row is
 * the median run, beside every pass's MB/s. Every produce run writes about 250 MB of payload to a
 * fresh topic; values are distinct windows of a pseudo-text pool (rdperf --payload text), so
 * compression ratios mean something. Partitioned runs go round-robin per record (rdperf
 * --partitions). Eight producers are eight rdperf processes started together on one topic, each
 * with an eighth of the records; their rate is total bytes / (last clock end − first clock start),
 * both CLOCK_MONOTONIC. MB/s counts payload bytes. An untimed warm-up (a quarter of a run, produced
 * and read back) compiles the broker's produce and fetch paths first; each run starts after a
 * `sync` (untimed), so none pays for an earlier run's writeback.
 */
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HiccupSummary, startHiccupProbe } from './lib/hiccup.js';
import type { LatencySummary } from './lib/histogram.js';
import { diskReadCold, diskWrite, dropPageCache, type LimitRow, loopbackTcp, syncDisks } from './lib/machine-limits.js';
import { HOST, spawnBroker } from './lib/processes.js';
import { type RdperfRun, rdperfBinary, rdperfConsume, rdperfE2e, rdperfProduce } from './lib/rdperf.js';
import { argNumber, argValue, fmt, printTables, type Row, type Table, writeReport } from './lib/report.js';
import { createTopic, WireConnection } from './lib/wire.js';
import { BENCH_BROKER_OVERRIDES, BENCH_TOPIC_CONFIGS } from './blaster.js';

const MiB = 1024 * 1024;

type Compression = 'none' | 'lz4' | 'zstd';

interface ProduceCase {
  factor: string;
  recordBytes: number;
  /** -1 is acks=all. */
  acks: number;
  partitions: number;
  producers: number;
  compression: Compression;
}

export interface MatrixRow {
  /** Which pass over the matrix made the run (rows: the median run's). */
  pass: number;
  factor: string;
  /** The varied factor's value, or for consumers where they read from. */
  value: string;
  op: 'produce' | 'consume';
  topic: string;
  recordBytes: number;
  acks: number | null;
  partitions: number;
  producers: number;
  compression: Compression;
  /** Records the run was asked for (consumers: what the topic's producer delivered). */
  expected: number;
  records: number;
  seconds: number;
  MBps: number;
  /** Rows (medians): the MB/s of every pass, in pass order. */
  runsMBps: number[];
  recordsPerSec: number;
  /** Bytes of the topic's .log segments per payload byte (produce rows). */
  logBytesPerPayloadByte: number | null;
  clockEnd: string | null;
  note: string | null;
  error: string | null;
}

export interface MatrixLimits {
  pageCacheWrite: LimitRow;
  fdatasyncWrite: LimitRow;
  loopback1: LimitRow;
  loopback4: LimitRow;
  /** The reason when not measured (not root, smoke). */
  coldRead: LimitRow | string;
}

export interface MatrixE2e {
  rateMBps: number;
  recordBytes: number;
  acks: string;
  sent: number;
  received: number;
  latency: LatencySummary | null;
  hiccup: HiccupSummary | null;
  error: string | null;
}

export interface MatrixResult {
  limits: MatrixLimits;
  /** Passes over the matrix; each row is the median of its runs. */
  repeat: number;
  rows: MatrixRow[];
  runs: MatrixRow[];
  e2e: MatrixE2e;
}

const BASE: ProduceCase = {
  factor: 'base',
  recordBytes: 1024,
  acks: 1,
  partitions: 1,
  producers: 1,
  compression: 'none',
};

/** The base case and one factor changed at a time; `value` names the change. */
const CASES: { value: string; c: ProduceCase }[] = [
  { value: '1 KiB, acks=1, 1 partition, 1 producer, none', c: BASE },
  { value: '100 B', c: { ...BASE, factor: 'record size', recordBytes: 100 } },
  { value: '10 KiB', c: { ...BASE, factor: 'record size', recordBytes: 10 * 1024 } },
  { value: 'acks=0', c: { ...BASE, factor: 'acks', acks: 0 } },
  { value: 'acks=all', c: { ...BASE, factor: 'acks', acks: -1 } },
  { value: '4 partitions', c: { ...BASE, factor: 'partitions', partitions: 4 } },
  { value: '16 partitions', c: { ...BASE, factor: 'partitions', partitions: 16 } },
  { value: '8 producers', c: { ...BASE, factor: 'producers', producers: 8 } },
  { value: 'lz4', c: { ...BASE, factor: 'compression', compression: 'lz4' } },
  { value: 'zstd', c: { ...BASE, factor: 'compression', compression: 'zstd' } },
];

/** The note when a compressed row's log is as large as its payload (explained under the table). */
const NOT_COMPRESSED = 'sent uncompressed (librdkafka#4956)';

/** Bytes of the .log segment files of partitions 0..n-1 of `topic` in the broker's data dir. */
function logBytes(dataDir: string, topic: string, partitions: number): number {
  let total = 0;
  for (let p = 0; p < partitions; p++) {
    const dir = join(dataDir, `${topic}-${p}`);
    for (const f of readdirSync(dir)) if (f.endsWith('.log')) total += statSync(join(dir, f)).size;
  }
  return total;
}

/**
 * `sync` before each row, untimed: otherwise the kernel writes the earlier rows' dirty pages back
 * (after 30 s, or past 10% of RAM) during a later row, which pays for them on 2 shared cores.
 */
const settle = syncDisks;

/** Several rdperf runs started together, timed from the first clock start to the last clock end. */
function combine(runs: RdperfRun[]): RdperfRun & { spread: string | null } {
  const records = runs.reduce((a, r) => a + r.records, 0);
  const error = runs.find((r) => r.error)?.error;
  if (runs.length === 1) return { ...runs[0]!, spread: null };
  const start = Math.min(...runs.map((r) => r.startNs ?? Number.NaN));
  const end = Math.max(...runs.map((r) => r.endNs ?? Number.NaN));
  const each = runs.map((r) => r.seconds).sort((a, b) => a - b);
  const skewMs = (Math.max(...runs.map((r) => r.startNs ?? 0)) - start) / 1e6;
  return {
    records,
    seconds: (end - start) / 1e9,
    clockEnd: runs[0]!.clockEnd,
    ...(error ? { error } : {}),
    spread: `each producer ${each[0]!.toFixed(2)}-${each[each.length - 1]!.toFixed(2)} s; starts within ${skewMs.toFixed(0)} ms`,
  };
}

async function measureLimits(smoke: boolean): Promise<MatrixLimits> {
  const dir = await mkdtemp(join(tmpdir(), 'vltava-matrix-limits-'));
  const seconds = smoke ? 0.2 : 2;
  try {
    return {
      pageCacheWrite: await diskWrite(dir, smoke ? 4 * MiB : 1024 * MiB, false),
      fdatasyncWrite: await diskWrite(dir, smoke ? 4 * MiB : 256 * MiB, true),
      loopback1: await loopbackTcp(1, seconds),
      loopback4: await loopbackTcp(4, seconds),
      // Dropping the page cache slows everyone on a shared machine: full runs only.
      coldRead: smoke ? 'smoke: not measured' : await diskReadCold(dir, 512 * MiB),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runMatrix(argv: string[]): Promise<MatrixResult> {
  const smoke = argv.includes('--smoke');
  // Payload bytes per produce run: about 250 MB, under the bench topics' 512 MiB retention, so the
  // consumers find all of the base topic.
  const payloadBytes = smoke ? 2e6 : 250e6;
  const repeat = argNumber(argv, '--repeat', smoke ? 1 : 5);
  const timeoutMs = smoke ? 15_000 : 120_000;
  const consumeTimeoutMs = smoke ? 10_000 : 60_000;

  const rdperfMissing = await rdperfBinary().then(
    () => null,
    (err: Error) => `rdperf not built: ${err.message}`,
  );
  if (rdperfMissing) console.error(rdperfMissing);
  const limits = await measureLimits(smoke);
  console.log(
    `limits: page-cache write ${limits.pageCacheWrite.MBps.toFixed(0)} MB/s, fdatasync write ${limits.fdatasyncWrite.MBps.toFixed(0)} MB/s, loopback TCP ${limits.loopback1.MBps.toFixed(0)} MB/s`,
  );

  const broker = await spawnBroker({ overrides: BENCH_BROKER_OVERRIDES });
  const admin = await WireConnection.connect(HOST, broker.port);
  const runs: MatrixRow[] = [];
  const log = (r: MatrixRow) => {
    runs.push(r);
    console.log(
      `pass ${r.pass} ${r.op} ${r.factor} ${r.value}: ${r.records} records, ${r.MBps.toFixed(1)} MB/s ${r.note ?? ''} ${r.error ?? ''}`,
    );
  };
  let e2e: MatrixE2e;
  try {
    // Warm-up, untimed: the broker's produce and fetch paths get compiled before the first row.
    if (!rdperfMissing) {
      const warm = 'matrix-warmup';
      const count = Math.round(payloadBytes / 4 / 1024);
      await createTopic(admin, warm, 1, BENCH_TOPIC_CONFIGS);
      const w = await rdperfProduce(broker.port, warm, 1024, 1, count, timeoutMs, ['--payload', 'text']);
      const wc = await rdperfConsume(broker.port, warm, w.records || 1, consumeTimeoutMs);
      if (w.error || wc.error) console.error(`warm-up: ${w.error ?? wc.error}`);
    }
    // Passes, not repeats of one row in a row: a slow spell of the shared machine then lands on
    // one run of several rows rather than on every run of one row.
    for (let pass = 1; pass <= repeat; pass++) {
      const produced: MatrixRow[] = [];
      for (const { value, c } of CASES) {
        const topic = `matrix${pass}-${c.factor}-${value}`.replace(/[^a-zA-Z0-9]+/g, '-').slice(0, 100);
        await createTopic(admin, topic, c.partitions, BENCH_TOPIC_CONFIGS);
        await settle();
        const count = Math.round(payloadBytes / c.recordBytes / c.producers) * c.producers;
        // Several producers connect first, then start their clocks together (CLOCK_MONOTONIC, which
        // process.hrtime uses too), 1.5 s from now: enough for eight processes to start on 2 cores.
        const startAt = c.producers > 1 ? ['--start-at-ns', String(process.hrtime.bigint() + 1_500_000_000n)] : [];
        const extra = [
          ...startAt,
          '--payload',
          'text',
          '--partitions',
          String(c.partitions),
          '-X',
          `compression.type=${c.compression}`,
        ];
        const each = rdperfMissing
          ? [{ records: 0, seconds: 0, error: rdperfMissing }]
          : await Promise.all(
              Array.from({ length: c.producers }, () =>
                rdperfProduce(broker.port, topic, c.recordBytes, c.acks, count / c.producers, timeoutMs, extra),
              ),
            );
        const r = combine(each);
        const payload = r.records * c.recordBytes;
        const ratio = payload > 0 ? logBytes(broker.dataDir, topic, c.partitions) / payload : null;
        const notes = [r.spread];
        if (r.clockEnd === 'high watermark') notes.push('clock ends when the high watermark holds every record');
        if (c.compression !== 'none' && ratio !== null && ratio > 0.98) notes.push(NOT_COMPRESSED);
        const error = r.error ?? (r.records !== count ? `delivered ${r.records} of ${count}` : null);
        const row = throughputRow(pass, c, value, 'produce', topic, count, r, ratio, notes, error);
        produced.push(row);
        log(row);
      }

      // Consumers read this pass's base topic (1 KiB, 1 partition) and its 16-partition topic.
      const consume = async (from: MatrixRow, value: string, note: string | null) => {
        await settle();
        const r = rdperfMissing
          ? { records: 0, seconds: 0, error: rdperfMissing }
          : await rdperfConsume(broker.port, from.topic, from.records, consumeTimeoutMs, [
              '--partitions',
              String(from.partitions),
            ]);
        const error = r.error ?? (r.records !== from.records ? `read ${r.records} of ${from.records}` : null);
        const c = { ...BASE, factor: 'source', partitions: from.partitions };
        log(throughputRow(pass, c, value, 'consume', from.topic, from.records, r, null, [note], error));
      };
      const base = produced[0]!;
      await consume(base, 'tail (page cache), 1 partition', null);
      const dropped = smoke ? 'smoke: page cache not dropped' : await dropPageCache();
      await consume(base, 'from disk (page cache dropped), 1 partition', dropped ? `NOT from disk: ${dropped}` : null);
      await consume(produced.find((r) => r.partitions === 16)!, 'tail (page cache), 16 partitions', null);
    }

    const rate = smoke ? 1 : 10;
    const seconds = smoke ? 0.5 : 8;
    const warmup = smoke ? 0.1 : 1;
    const topic = 'matrix-e2e';
    await createTopic(admin, topic, 1, BENCH_TOPIC_CONFIGS);
    const probe = startHiccupProbe(seconds + warmup + 2);
    const r = rdperfMissing
      ? { sent: 0, received: 0, latency: null, error: rdperfMissing }
      : await rdperfE2e(broker.port, topic, rate, 1024, seconds, warmup);
    e2e = {
      rateMBps: rate,
      recordBytes: 1024,
      acks: 'all',
      sent: r.sent,
      received: r.received,
      latency: r.latency,
      hiccup: await probe,
      error: r.error ?? null,
    };
    console.log(`e2e ${rate} MB/s: p99 ${e2e.latency?.p99Ms ?? '-'} ms ${e2e.error ?? ''}`);
  } finally {
    admin.close();
    await broker.stop();
  }
  return { limits, repeat, rows: medians(runs), runs, e2e };
}

/** One row per workload: its median run by MB/s, with every run's MB/s and the first error of any. */
function medians(runs: MatrixRow[]): MatrixRow[] {
  const groups = new Map<string, MatrixRow[]>();
  for (const r of runs) {
    const key = `${r.op}|${r.factor}|${r.value}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const sorted = [...g].sort((a, b) => a.MBps - b.MBps);
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    return { ...median, runsMBps: g.map((r) => r.MBps), error: g.find((r) => r.error)?.error ?? null };
  });
}

function throughputRow(
  pass: number,
  c: ProduceCase,
  value: string,
  op: 'produce' | 'consume',
  topic: string,
  expected: number,
  r: RdperfRun,
  logRatio: number | null,
  notes: (string | null)[],
  error: string | null,
): MatrixRow {
  const seconds = r.seconds || Number.NaN;
  const note = notes.filter((n) => n).join('; ');
  return {
    pass,
    factor: c.factor,
    value,
    op,
    topic,
    recordBytes: c.recordBytes,
    acks: op === 'produce' ? c.acks : null,
    partitions: c.partitions,
    producers: op === 'produce' ? c.producers : 0,
    compression: c.compression,
    expected,
    records: r.records,
    seconds: r.seconds,
    MBps: (r.records * c.recordBytes) / 1e6 / seconds,
    runsMBps: [],
    recordsPerSec: r.records / seconds,
    logBytesPerPayloadByte: logRatio,
    clockEnd: r.clockEnd ?? null,
    note: note || null,
    error,
  };
}

export function matrixTables(m: MatrixResult): Table[] {
  const { limits } = m;
  const cold = typeof limits.coldRead === 'string' ? null : limits.coldRead;
  const rows = m.rows.map((r): Row => {
    const notes = [r.note];
    if (cold && r.value.startsWith('from disk'))
      notes.push(`${(r.MBps / cold.MBps).toFixed(2)} of a cold sequential read`);
    return {
      op: r.op,
      factor: r.factor,
      value: r.value,
      records: r.records,
      'MB/s': r.MBps,
      'MB/s each pass': r.runsMBps.map((x) => fmt(x)).join(' / '),
      'records/s': r.recordsPerSec,
      '÷ page-cache write': r.MBps / limits.pageCacheWrite.MBps,
      '÷ fdatasync write': r.MBps / limits.fdatasyncWrite.MBps,
      '÷ loopback TCP': r.MBps / limits.loopback1.MBps,
      'log B / payload B': r.logBytesPerPayloadByte,
      note: notes.filter((n) => n).join('; ') || null,
      error: r.error,
    };
  });
  const e = m.e2e;
  const limitRows = [limits.pageCacheWrite, limits.fdatasyncWrite, limits.loopback1, limits.loopback4];
  if (cold) limitRows.push(cold);
  return [
    {
      title: 'matrix: rdperf (librdkafka 2.0.2 from C) against one broker, one factor varied from the base',
      rows,
      note:
        'Base: 1 KiB records, acks=1, 1 partition, 1 producer, no compression, linger.ms=5, batch.size=1000000. ' +
        "MB/s is payload bytes. The ÷ columns divide MB/s by the same run's limits (table below; loopback TCP: 1 connection). " +
        "log B / payload B: bytes of the topic's .log segments per payload byte (record and batch framing, compression). " +
        `"${NOT_COMPRESSED}": librdkafka before the fix of librdkafka#4956 (Debian ships 2.0.2) enables gzip, snappy and lz4 only ` +
        'for brokers that list Produce v0 and otherwise silently falls back to none; Vltava lists v0-11 (serving v3-11) as Kafka 4 does ' +
        '(KAFKA-18659), so the note appears only if that regresses.',
    },
    {
      title: 'matrix: produce-to-consume latency (rdperf e2e)',
      rows: [
        {
          workload: `${e.recordBytes} B records at ${e.rateMBps} MB/s, acks=${e.acks}, linger.ms=0, 1 partition`,
          sent: e.sent,
          received: e.received,
          'p50 ms': e.latency?.p50Ms ?? null,
          'p99 ms': e.latency?.p99Ms ?? null,
          'p99.9 ms': e.latency?.p999Ms ?? null,
          'max ms': e.latency?.maxMs ?? null,
          'idle probe p99 ms': e.hiccup?.p99Ms ?? null,
          'idle probe max ms': e.hiccup?.maxMs ?? null,
          error: e.error,
        },
      ],
      note: "Latency from just before rd_kafka_produce to the consumer thread's callback, exact percentiles (nearest rank). The idle probe is a separate Node process's 1 ms timer lateness during the run: the machine's own noise.",
    },
    {
      title: 'matrix: limits of this machine, same run',
      rows: limitRows.map((l): Row => ({ limit: l.limit, 'MB/s': l.MBps, note: l.note })),
      ...(typeof limits.coldRead === 'string' ? { note: `cold sequential read: ${limits.coldRead}` } : {}),
    },
  ];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const smoke = argv.includes('--smoke');
  const result = await runMatrix(argv);
  const tables = matrixTables(result);
  printTables(tables);
  const out = argValue(argv, '--out') ?? (smoke ? null : 'bench/results/matrix.json');
  if (out) {
    writeReport(out, {
      benchmark: 'matrix',
      script: 'dist/bench/matrix.js',
      argv,
      workload:
        'rdperf (bench/tools/rdperf.c, librdkafka 2.0.2) against `vltava server start` (default flush policy, no fsync per batch). ' +
        `${result.repeat} passes over the matrix; each row is the median run. ` +
        `Each produce run writes about ${smoke ? '2' : '250'} MB of payload to a fresh topic (pseudo-text values, distinct per record), ` +
        'round-robin over its partitions; 8 producers are 8 rdperf processes on one topic. Consumers: the legacy simple consumer from offset 0. ' +
        'Limits measured in the same run before the broker started.',
      tables,
      data: { result },
    });
  }
  const failed = [...result.rows.filter((r) => r.error), ...(result.e2e.error ? [result.e2e] : [])];
  if (failed.length) {
    console.error(`matrix: ${failed.length} row(s) with errors`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
