/**
 * Single-broker bench (issue 4): produce and fetch throughput driven by real clients — librdkafka
 * (from C through bench/tools/rdperf.c, kcat, and confluent-kafka-python) and kafkajs — for 100 B
 * and 1 KiB records with acks=1 and acks=-1; fetch throughput of the same data (rdperf, kcat,
 * confluent-kafka, kafkajs, and the bench's own wire fetch loop, which is the broker's fetch
 * ceiling); produce-to-consume latency at a fixed 10 MB/s with acks=all; startup time to the first
 * answered request; idle RSS; peak RSS under load.
 *
 *   node dist/bench/broker.js [--smoke] [--out FILE]
 *
 * The broker is `vltava server start` in its own process (default flush policy: no fsync per
 * batch, as Kafka; no initial rebalance delay for the kafkajs consumer group). Every throughput row
 * starts after an untimed `sync` and carries an error when it moved other than the records asked
 * for. Each produce run writes to a fresh one-partition topic (clients are pinned to partition 0 so
 * batches are as large as the client makes them). MB/s counts record payload bytes.
 */
import { spawn } from 'node:child_process';
import { HOST, rssMiB, runCommand, sleep, spawnBroker, stopChild } from './lib/processes.js';
import { type HiccupSummary, startHiccupProbe } from './lib/hiccup.js';
import { LatencyHistogram, type LatencySummary, median } from './lib/histogram.js';
import {
  type ClientRun,
  confluentConsume,
  confluentE2e,
  confluentProduce,
  kafkajsConsume,
  kafkajsProduce,
  kcatConsume,
  kcatProduce,
} from './lib/loadgen.js';
import { syncDisks } from './lib/machine-limits.js';
import { rdperfBinary, rdperfConsume, rdperfE2e, rdperfProduce, type RdperfSettings } from './lib/rdperf.js';
import { argValue, printTables, type Row, type Table, writeReport } from './lib/report.js';
import { e2eError, wireE2eInChild, wireFetch } from './lib/wire-clients.js';
import { createTopic, WireConnection } from './lib/wire.js';
import { BENCH_BROKER_OVERRIDES, BENCH_TOPIC_CONFIGS } from './blaster.js';

export interface ThroughputRow {
  client: string;
  op: 'produce' | 'consume';
  recordBytes: number;
  acks: number | null;
  records: number;
  seconds: number;
  MBps: number;
  recordsPerSec: number;
  error: string | null;
  /** librdkafka settings beyond the defaults, when the load generator reports them (rdperf). */
  settings?: RdperfSettings;
}

export interface LatencyRow {
  client: string;
  rateMBps: number;
  recordBytes: number;
  sent: number;
  received: number;
  latency: LatencySummary | null;
  /** Timer lateness of an idle probe process during the same run: the machine's own noise. */
  hiccup: HiccupSummary | null;
  error: string | null;
  settings?: RdperfSettings;
}

export interface BrokerBenchResult {
  startupMs: number[];
  startupMedianMs: number;
  idleRssMiB: number;
  /** Bare Node on this machine, same run: spawn-to-exit of `node -e 0` and RSS with one socket. */
  nodeStartupMs: number;
  nodeIdleRssMiB: number;
  peakRssMiB: number;
  throughput: ThroughputRow[];
  latency: LatencyRow[];
}

/** The rdperf rows' client name; targets.ts picks the best librdkafka row by "librdkafka". */
export const RDPERF_CLIENT = 'librdkafka C (rdperf)';

/**
 * The blaster's broker settings, and no initial rebalance delay (Kafka's default 3 s) so that the
 * kafkajs consume row does not time a consumer group waiting for members that never come.
 */
export const BROKER_BENCH_OVERRIDES = { ...BENCH_BROKER_OVERRIDES, 'group.initial.rebalance.delay.ms': '0' };

/**
 * A throughput row; `expected` is the record count the row asked for (null for a run bounded by
 * time): a run that produced or read another count carries an error, so no target picks it.
 */
function row(
  client: string,
  op: 'produce' | 'consume',
  recordBytes: number,
  acks: number | null,
  expected: number | null,
  r: ClientRun & { settings?: RdperfSettings },
): ThroughputRow {
  const seconds = r.seconds || Number.NaN;
  const short =
    expected !== null && r.records !== expected
      ? `${op === 'produce' ? 'delivered' : 'read'} ${r.records} of ${expected}`
      : null;
  return {
    ...(r.settings ? { settings: r.settings } : {}),
    client,
    op,
    recordBytes,
    acks,
    records: r.records,
    seconds: r.seconds,
    MBps: (r.records * recordBytes) / 1e6 / seconds,
    recordsPerSec: r.records / seconds,
    error: r.error ?? short,
  };
}

async function startupAndIdle(runs: number, settleMs: number): Promise<{ startupMs: number[]; idleRssMiB: number }> {
  const startupMs: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const b = await spawnBroker();
    try {
      startupMs.push(b.startupMs);
      await sleep(settleMs);
      const r = await rssMiB(b.child.pid!);
      if (r) rss.push(r.rss);
    } finally {
      await b.stop();
    }
  }
  return { startupMs, idleRssMiB: median(rss) };
}

/**
 * The floor under startup and idle RSS on this machine, in the same run: spawn-to-exit of a bare
 * `node -e 0`, and the RSS of a Node process holding one listening socket.
 */
async function nodeBaseline(
  runs: number,
  settleMs: number,
): Promise<{ nodeStartupMs: number; nodeIdleRssMiB: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await runCommand(process.execPath, ['-e', '0'], 10_000)).ms);
  const child = spawn(
    process.execPath,
    ['-e', `require('node:net').createServer().listen(0, '${HOST}'); setTimeout(() => {}, 60000);`],
    { stdio: 'ignore' },
  );
  try {
    await sleep(settleMs);
    return { nodeStartupMs: median(times), nodeIdleRssMiB: (await rssMiB(child.pid!))?.rss ?? Number.NaN };
  } finally {
    await stopChild(child);
  }
}

export async function runBrokerBench(argv: string[]): Promise<BrokerBenchResult> {
  const smoke = argv.includes('--smoke');
  const counts: Record<number, number> = smoke ? { 1024: 2000, 100: 5000 } : { 1024: 1_000_000, 100: 2_000_000 };
  const kafkajsSeconds = smoke ? 0.3 : 5;
  const timeoutMs = smoke ? 15_000 : 120_000;
  const consumeTimeoutMs = smoke ? 8_000 : 60_000;
  const e2eSeconds = smoke ? 0.5 : 10;
  const e2eRate = smoke ? 1 : 10;

  // Compile rdperf before anything is timed; when it cannot be built its rows carry the reason.
  const rdperfMissing = await rdperfBinary().then(
    () => null,
    (err: Error) => `rdperf not built: ${err.message}`,
  );
  if (rdperfMissing) console.error(rdperfMissing);
  // Untimed: startup is measured after the writeback of earlier benches' data, not during it.
  await syncDisks();
  const { startupMs, idleRssMiB } = await startupAndIdle(smoke ? 1 : 5, smoke ? 300 : 2000);
  const baseline = await nodeBaseline(smoke ? 1 : 5, smoke ? 300 : 2000);

  const broker = await spawnBroker({ overrides: BROKER_BENCH_OVERRIDES });
  let peakRss = 0;
  const sampler = setInterval(async () => {
    const r = await rssMiB(broker.child.pid!);
    if (r) peakRss = Math.max(peakRss, r.hwm);
  }, 200);
  const throughput: ThroughputRow[] = [];
  const latency: LatencyRow[] = [];
  const admin = await WireConnection.connect(HOST, broker.port);
  const topic = async (name: string) => {
    // Consumers read every record from offset 0: retention must keep all of a row's records.
    await createTopic(admin, name, 1, { ...BENCH_TOPIC_CONFIGS, 'retention.bytes': String(2 * 1024 ** 3) });
    return name;
  };
  // Untimed `sync` before each throughput row: none pays for the ~1 GB writeback of the rows before it.
  const synced = async <T>(run: () => Promise<T>): Promise<T> => {
    await syncDisks();
    return run();
  };
  const log = (r: ThroughputRow) => {
    throughput.push(r);
    console.log(
      `${r.client} ${r.op} ${r.recordBytes} B acks=${r.acks ?? '-'}: ${r.MBps.toFixed(1)} MB/s ${r.error ?? ''}`,
    );
  };
  try {
    // Smoke runs one size to stay quick; the full run does both.
    for (const size of smoke ? [1024] : [1024, 100]) {
      const count = counts[size]!;
      for (const acks of [1, -1]) {
        const rt = await topic(`rdperf-${size}-${acks}`);
        log(
          row(
            RDPERF_CLIENT,
            'produce',
            size,
            acks,
            count,
            rdperfMissing
              ? { records: 0, seconds: 0, error: rdperfMissing }
              : await synced(() => rdperfProduce(broker.port, rt, size, acks, count, timeoutMs)),
          ),
        );
        const kt = await topic(`kcat-${size}-${acks}`);
        log(
          row(
            'kcat (librdkafka)',
            'produce',
            size,
            acks,
            count,
            await synced(() => kcatProduce(broker.port, kt, size, acks, count, timeoutMs)),
          ),
        );
        const ct = await topic(`confluent-${size}-${acks}`);
        log(
          row(
            'confluent-kafka (librdkafka)',
            'produce',
            size,
            acks,
            count,
            await synced(() => confluentProduce(broker.port, ct, size, acks, count, timeoutMs)),
          ),
        );
        // kafkajs produces for a fixed time, not a count.
        const jt = await topic(`kafkajs-${size}-${acks}`);
        log(
          row(
            'kafkajs',
            'produce',
            size,
            acks,
            null,
            await synced(() => kafkajsProduce(broker.port, jt, size, acks, kafkajsSeconds)),
          ),
        );
        if (acks !== 1) continue;
        // rdperf reads what it produced with acks=1; the other consumers read the kcat topic (both
        // in the page cache: a consumer catching up).
        log(
          row(
            RDPERF_CLIENT,
            'consume',
            size,
            null,
            count,
            rdperfMissing
              ? { records: 0, seconds: 0, error: rdperfMissing }
              : await synced(() => rdperfConsume(broker.port, rt, count, consumeTimeoutMs)),
          ),
        );
        log(
          row(
            'kcat (librdkafka)',
            'consume',
            size,
            null,
            count,
            await synced(() => kcatConsume(broker.port, kt, count, consumeTimeoutMs)),
          ),
        );
        log(
          row(
            'confluent-kafka (librdkafka)',
            'consume',
            size,
            null,
            count,
            await synced(() => confluentConsume(broker.port, kt, count, consumeTimeoutMs)),
          ),
        );
        // kafkajs joins a consumer group first (no initial rebalance delay: BROKER_BENCH_OVERRIDES).
        log(
          row(
            'kafkajs',
            'consume',
            size,
            null,
            count,
            await synced(() => kafkajsConsume(broker.port, kt, count, consumeTimeoutMs)),
          ),
        );
        const f = await synced(() => wireFetch(broker.port, kt, BigInt(count), undefined, consumeTimeoutMs));
        log(
          row('wire fetch loop (no client)', 'consume', size, null, count, { records: f.records, seconds: f.seconds }),
        );
      }
    }
    // Latency rows: the target rate (10 MB/s) with each client first, then the wire client at a
    // lighter and a heavier load for the latency-vs-load curve. Each starts after an untimed `sync`,
    // so that none pays for the writeback of the gigabytes the throughput rows left dirty.
    const wireE2eRow = async (rate: number) => {
      await syncDisks();
      const et = await topic(`e2e-wire-${rate}`);
      const seconds = rate === e2eRate ? e2eSeconds : e2eSeconds / 2;
      const warmup = smoke ? 0.1 : 1;
      const probe = startHiccupProbe(seconds + warmup);
      const w = await wireE2eInChild(broker.port, et, rate, 1024, seconds, warmup);
      const hiccup = await probe;
      latency.push({
        client: 'wire producer + long-poll fetch',
        rateMBps: rate,
        recordBytes: 1024,
        sent: w.sent,
        received: w.received,
        latency: w.latency,
        hiccup,
        // Produce errors, or records sent and never read back (the consumer drains for 5 s).
        error: e2eError(w),
      });
    };
    await wireE2eRow(e2eRate);
    {
      await syncDisks();
      const rt = await topic('e2e-rdperf');
      const warmup = smoke ? 0.1 : 1;
      const probe = startHiccupProbe(e2eSeconds + warmup + 2);
      const r = rdperfMissing
        ? { sent: 0, received: 0, latency: null, error: rdperfMissing }
        : await rdperfE2e(broker.port, rt, e2eRate, 1024, e2eSeconds, warmup);
      const hiccup = await probe;
      latency.push({
        client: `${RDPERF_CLIENT} producer + consumer`,
        rateMBps: e2eRate,
        recordBytes: 1024,
        sent: r.sent,
        received: r.received,
        latency: r.latency,
        hiccup,
        error: r.error ?? null,
        ...(r.settings ? { settings: r.settings } : {}),
      });
    }
    await syncDisks();
    const pt = await topic('e2e-confluent');
    const probe = startHiccupProbe(e2eSeconds + 2);
    const c = await confluentE2e(broker.port, pt, e2eRate, 1024, e2eSeconds);
    const hiccup = await probe;
    const h = new LatencyHistogram();
    // The first second is warm-up (connections, first fetch), as in the wire run.
    const skip = Math.floor(((e2eRate * 1e6) / 1024) * (smoke ? 0.1 : 1));
    for (const ms of c.latencyMs.slice(skip)) h.recordMs(ms);
    // The script's consumer gives up 10 s after the producer's flush: what it did not see by then
    // is lost, and the percentiles of the rest are not the run's.
    const lost = e2eError({ sent: c.sent, received: c.latencyMs.length, produceErrors: 0 });
    const cErrors = [...(c.undelivered ? [`${c.undelivered} not delivered`] : []), ...(lost ? [lost] : [])];
    latency.push({
      client: 'confluent-kafka producer + consumer',
      rateMBps: e2eRate,
      recordBytes: 1024,
      sent: c.sent,
      received: c.latencyMs.length,
      latency: h.count > 0 ? h.summary() : null,
      hiccup,
      error: c.error ?? (cErrors.length ? cErrors.join('; ') : null),
    });
    if (!smoke) for (const rate of [2, 50]) await wireE2eRow(rate);
  } finally {
    clearInterval(sampler);
    admin.close();
    await broker.stop();
  }
  return {
    startupMs,
    startupMedianMs: median(startupMs),
    idleRssMiB,
    ...baseline,
    peakRssMiB: peakRss,
    throughput,
    latency,
  };
}

/** "producer: k=v, ...; consumer: k=v, ..." from the first rdperf row that reports settings. */
function rdperfSettings(rows: { client: string; settings?: RdperfSettings }[], label: string): string {
  const s = rows.find((t) => t.client.startsWith(RDPERF_CLIENT) && t.settings)?.settings;
  if (!s) return '';
  const parts = Object.entries(s).map(
    ([client, kv]) =>
      `${client} ${Object.entries(kv)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
  );
  return ` ${label}: ${parts.join('; ')}.`;
}

export function brokerTables(r: BrokerBenchResult): Table[] {
  const rdperfProduce = r.throughput.filter((t) => t.op === 'produce' && t.acks === 1);
  const rdperfConsume = r.throughput.filter((t) => t.op === 'consume');
  return [
    {
      title: 'broker: produce and consume throughput by client (one partition, payload MB/s)',
      rows: r.throughput.map(
        (t): Row => ({
          client: t.client,
          op: t.op,
          'record B': t.recordBytes,
          acks: t.acks ?? '-',
          records: t.records,
          s: t.seconds,
          'MB/s': t.MBps,
          'records/s': t.recordsPerSec,
          error: t.error,
        }),
      ),
      note:
        `${RDPERF_CLIENT} (bench/tools/rdperf.c) reads the topic it produced with acks=1; the other consumers read ` +
        'the kcat acks=1 topic; all from offset 0. kcat and confluent-kafka producers: linger.ms=5, ' +
        'batch.size=1000000, queue.buffering.max.messages=2000000, queue.buffering.max.kbytes=2097152.' +
        rdperfSettings(rdperfProduce, 'rdperf produce (the acks=-1 rows differ only in acks)') +
        rdperfSettings(rdperfConsume, 'rdperf consume'),
    },
    {
      title: 'broker: produce-to-consume latency, acks=all, 1 KiB records, fixed rate',
      rows: r.latency.map(
        (l): Row => ({
          client: l.client,
          'MB/s': l.rateMBps,
          sent: l.sent,
          received: l.received,
          'p50 ms': l.latency?.p50Ms ?? null,
          'p99 ms': l.latency?.p99Ms ?? null,
          'p99.9 ms': l.latency?.p999Ms ?? null,
          'max ms': l.latency?.maxMs ?? null,
          'probe p99 ms': l.hiccup?.p99Ms ?? null,
          'probe p99.9 ms': l.hiccup?.p999Ms ?? null,
          'probe max ms': l.hiccup?.maxMs ?? null,
          error: l.error,
        }),
      ),
      note:
        'Warm-up records (1 s; 0.1 s in smoke runs) are not counted. The wire producer stamps each record with ' +
        'its scheduled send time (a generator stall counts against the record). A row with fewer records ' +
        'received than sent carries an error.' +
        rdperfSettings(r.latency, 'rdperf e2e (producer thread at a fixed rate, consumer thread at the tail)'),
    },
    {
      title: 'broker: footprint',
      rows: [
        {
          measure: 'startup: spawn CLI -> first ApiVersions answer (median)',
          value: r.startupMedianMs,
          unit: 'ms',
          runs: r.startupMs.map((x) => x.toFixed(0)).join(' '),
        },
        { measure: 'bare Node: spawn -> exit of `node -e 0` (median)', value: r.nodeStartupMs, unit: 'ms', runs: '' },
        { measure: 'idle RSS after startup settles', value: r.idleRssMiB, unit: 'MiB', runs: '' },
        { measure: 'bare Node idle RSS (one listening socket)', value: r.nodeIdleRssMiB, unit: 'MiB', runs: '' },
        { measure: 'peak RSS (VmHWM) during the client runs', value: r.peakRssMiB, unit: 'MiB', runs: '' },
      ],
    },
  ];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const smoke = argv.includes('--smoke');
  const r = await runBrokerBench(argv);
  const tables = brokerTables(r);
  printTables(tables);
  const out = argValue(argv, '--out') ?? (smoke ? null : 'bench/results/broker.json');
  if (out) {
    writeReport(out, {
      benchmark: 'broker',
      script: 'dist/bench/broker.js',
      argv,
      workload:
        'One broker process (`vltava server start`, default flush policy, group.initial.rebalance.delay.ms=0). ' +
        'An untimed `sync` before each row. Producers: rdperf (librdkafka from C, ' +
        'bench/tools/rdperf.c: no copy of the payload, one produce() call per record), kcat -P -l FILE and ' +
        'confluent-kafka-python (librdkafka, linger.ms=5, batch.size=1000000), kafkajs (4 concurrent send() of 1000 ' +
        'records). Consumers read from offset 0; a row that produced or read fewer records than asked carries an ' +
        'error. Latency: fixed-rate producer (acks=all) and a consumer at the tail, value carries the send time ' +
        "(the wire producer: the record's scheduled send time); a row that lost records carries an error.",
      tables,
      data: { result: r },
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
