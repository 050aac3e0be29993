/**
 * Checks the targets of issues 4 and 8 against the JSON reports of one `npm run bench` run and
 * says, for each, the measured value and the margin (measured / target).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Row, Table } from './report.js';

// biome-ignore lint/suspicious/noExplicitAny: reads our own reports, whose shapes the benches define
type Json = Record<string, any>;

function load(dir: string, name: string): Json | null {
  const p = join(dir, `${name}.json`);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Json) : null;
}

/** Why a figure cannot count (errors in its row or a failed check), or null. */
type Problem = string | null;

interface Check {
  target: string;
  issue: string;
  value: number | null;
  unit: string;
  limit: number;
  /** true: value must be >= limit; false: value must be < limit. */
  atLeast: boolean;
  /** The report, and for "best of" figures the client that gave it. */
  source: string;
  /** Set when the row behind the figure had errors: the target then counts as missed. */
  problem?: Problem;
}

/** The largest figure and the client that reached it, or null when no row qualifies. */
function bestOf(rows: Json[], field: string): { value: number; client: string } | null {
  let best: Json | null = null;
  for (const r of rows) if (r[field] > 0 && (best === null || r[field] > best[field])) best = r;
  return best ? { value: best[field] as number, client: String(best.client) } : null;
}

/**
 * `since` (ms since the epoch): reports dated before it come from an earlier run (a bench that
 * was not run this time, or crashed before writing); their rows say so in the `from` column.
 */
export function targetsTable(dir: string, since?: number): Table {
  const stale = new Map<string, string>();
  const loadReport = (name: string) => {
    const r = load(dir, name);
    if (r && since !== undefined && Date.parse(r.date) < since) stale.set(name, String(r.date));
    return r;
  };
  const blaster = loadReport('blaster');
  const broker = loadReport('broker');
  const limits = loadReport('limits');
  const peers = loadReport('peers');
  const blasterProblem = (r: Json | null): Problem =>
    r === null
      ? null
      : r.errors > 0
        ? `${r.errors} errors`
        : r.storedRecords !== undefined && r.storedRecords !== r.ackedRecords
          ? `log end ${r.storedRecords} != acked ${r.ackedRecords}`
          : null;
  const bl = (size: number, acks: number) =>
    blaster?.results?.find((r: Json) => r.recordBytes === size && r.acks === acks) ?? null;
  const tp: Json[] = broker?.result?.throughput ?? [];
  // The best librdkafka-driven row (rdperf, kcat or confluent-kafka-python) of a workload.
  const librdkafka = (op: string, size: number, acks: number | null) =>
    tp.filter(
      (t) =>
        t.op === op &&
        t.recordBytes === size &&
        (acks === null || t.acks === acks) &&
        !t.error &&
        String(t.client).includes('librdkafka'),
    );
  const fromBroker = (b: { client: string } | null) => (b ? `broker: ${b.client}` : 'broker');
  const disk =
    limits?.results?.find((r: Json) => String(r.limit).startsWith('disk sequential write (page')).MBps ?? null;
  const diskSync =
    limits?.results?.find((r: Json) => String(r.limit).startsWith('disk sequential write + fdatasync')).MBps ?? null;
  // A client's first e2e row: broker.ts runs the target rate (10 MB/s; 1 in smoke runs) first.
  const latRow = (client: string): Json | null =>
    broker?.result?.latency?.find((l: Json) => String(l.client).startsWith(client)) ?? null;
  const lat = (client: string) => latRow(client)?.latency ?? null;
  const latProblem = (client: string): Problem => (latRow(client)?.error ? String(latRow(client)!.error) : null);
  const peerRow = (system: string, persistence: string): Json | null =>
    peers?.results?.find((r: Json) => r.system.startsWith(system) && String(r.persistence).startsWith(persistence)) ??
    null;
  const peer = (system: string, persistence: string) => peerRow(system, persistence)?.recordsPerSec ?? null;
  const peerProblem = (...rows: (Json | null)[]): Problem => {
    const bad = rows.filter((r) => r !== null && (r.errors ?? 0) > 0);
    return bad.length ? bad.map((r) => `${r!.system}: ${r!.errors} errors`).join('; ') : null;
  };
  const vltava = peer('Vltava, 64', 'page');
  const producer1kBest = bestOf(librdkafka('produce', 1024, 1), 'MBps');
  const consumer1kBest = bestOf(librdkafka('consume', 1024, null), 'MBps');
  const rate100Best = bestOf(librdkafka('produce', 100, 1), 'recordsPerSec');
  const producer1k = producer1kBest?.value ?? null;
  const consumer1k = consumer1kBest?.value ?? null;
  const ratio = (a: number | null, b: number | null) => (a !== null && b ? a / b : null);
  const checks: Check[] = [
    {
      target: 'blaster 1 KiB records, 1 MiB requests, acks=1 (payload)',
      issue: '8',
      value: bl(1024, 1)?.payloadMBps ?? null,
      unit: 'MB/s',
      limit: 1000,
      atLeast: true,
      source: 'blaster',
      problem: blasterProblem(bl(1024, 1)),
    },
    {
      target: 'librdkafka producer, 1 KiB, acks=1 (best client)',
      issue: '4, 8',
      value: producer1k,
      unit: 'MB/s',
      limit: 300,
      atLeast: true,
      source: fromBroker(producer1kBest),
    },
    {
      target: 'librdkafka producer / raw disk write, page cache (same run)',
      issue: '8',
      value: ratio(producer1k, disk),
      unit: 'ratio',
      limit: 0.7,
      atLeast: true,
      source: `${fromBroker(producer1kBest)}; limits`,
    },
    {
      target: 'librdkafka producer / raw disk write, fdatasync each MiB (same run)',
      issue: '8',
      value: ratio(producer1k, diskSync),
      unit: 'ratio',
      limit: 0.7,
      atLeast: true,
      source: `${fromBroker(producer1kBest)}; limits`,
    },
    {
      target: 'librdkafka consumer / producer, 1 KiB (best of each)',
      issue: '8',
      value: ratio(consumer1k, producer1k),
      unit: 'ratio',
      limit: 1.5,
      atLeast: true,
      source: `${fromBroker(consumer1kBest)} / ${producer1kBest?.client ?? '-'}`,
    },
    {
      target: 'librdkafka producer, 100 B records, acks=1 (best client)',
      issue: '8',
      value: rate100Best?.value ?? null,
      unit: 'records/s',
      limit: 1_000_000,
      atLeast: true,
      source: fromBroker(rate100Best),
    },
    {
      target: 'blaster 100 B records (broker ceiling)',
      issue: '8 (context)',
      value: bl(100, 1)?.recordsPerSec ?? null,
      unit: 'records/s',
      limit: 1_000_000,
      atLeast: true,
      source: 'blaster',
      problem: blasterProblem(bl(100, 1)),
    },
    {
      target: 'e2e p99 at 10 MB/s, acks=all (wire client)',
      issue: '4, 8',
      value: lat('wire')?.p99Ms ?? null,
      problem: latProblem('wire'),
      unit: 'ms',
      limit: 5,
      atLeast: false,
      source: 'broker',
    },
    {
      target: 'e2e p99.9 at 10 MB/s, acks=all (wire client)',
      issue: '8',
      value: lat('wire')?.p999Ms ?? null,
      problem: latProblem('wire'),
      unit: 'ms',
      limit: 20,
      atLeast: false,
      source: 'broker',
    },
    {
      target: 'e2e p99 at 10 MB/s, acks=all (librdkafka from C, rdperf)',
      issue: '4, 8',
      value: lat('librdkafka C (rdperf)')?.p99Ms ?? null,
      problem: latProblem('librdkafka C (rdperf)'),
      unit: 'ms',
      limit: 5,
      atLeast: false,
      source: 'broker: librdkafka C (rdperf)',
    },
    {
      target: 'e2e p99.9 at 10 MB/s, acks=all (librdkafka from C, rdperf)',
      issue: '8',
      value: lat('librdkafka C (rdperf)')?.p999Ms ?? null,
      problem: latProblem('librdkafka C (rdperf)'),
      unit: 'ms',
      limit: 20,
      atLeast: false,
      source: 'broker: librdkafka C (rdperf)',
    },
    {
      target: 'e2e p99 at 10 MB/s, acks=all (librdkafka from Python, confluent-kafka)',
      issue: '4, 8',
      value: lat('confluent')?.p99Ms ?? null,
      problem: latProblem('confluent'),
      unit: 'ms',
      limit: 5,
      atLeast: false,
      source: 'broker: confluent-kafka-python',
    },
    {
      target: 'e2e p99.9 at 10 MB/s, acks=all (librdkafka from Python, confluent-kafka)',
      issue: '8',
      value: lat('confluent')?.p999Ms ?? null,
      problem: latProblem('confluent'),
      unit: 'ms',
      limit: 20,
      atLeast: false,
      source: 'broker: confluent-kafka-python',
    },
    {
      target: 'Vltava / Redis Streams (AOF everysec), 1 KiB appends/s',
      issue: '8',
      value: ratio(vltava, peer('Redis', 'AOF,')),
      unit: 'ratio',
      limit: 1,
      atLeast: true,
      source: 'peers',
      problem: peerProblem(peerRow('Vltava, 64', 'page'), peerRow('Redis', 'AOF,')),
    },
    {
      target: 'Vltava / NATS JetStream (file), 1 KiB appends/s',
      issue: '8',
      value: ratio(vltava, peer('NATS', 'file')),
      unit: 'ratio',
      limit: 1,
      atLeast: true,
      source: 'peers',
      problem: peerProblem(peerRow('Vltava, 64', 'page'), peerRow('NATS', 'file')),
    },
    {
      target: 'startup to first answered request',
      issue: '8 (4: < 500)',
      value: broker?.result?.startupMedianMs ?? null,
      unit: 'ms',
      limit: 300,
      atLeast: false,
      source: 'broker',
    },
    {
      target: 'idle RSS',
      issue: '8 (4: < 100)',
      value: broker?.result?.idleRssMiB ?? null,
      unit: 'MiB',
      limit: 80,
      atLeast: false,
      source: 'broker',
    },
    {
      target: 'peak RSS under load (client runs)',
      issue: '8',
      value: broker?.result?.peakRssMiB ?? null,
      unit: 'MiB',
      limit: 400,
      atLeast: false,
      source: 'broker',
    },
    {
      target: 'peak RSS under load (blaster)',
      issue: '8',
      value: Math.max(0, ...(blaster?.results ?? []).map((r: Json) => r.peakRssMiB ?? 0)) || null,
      unit: 'MiB',
      limit: 400,
      atLeast: false,
      source: 'blaster',
    },
  ];
  // Which reports a source names ("broker: rdperf; limits" names two).
  const staleNote = (source: string) => {
    const old = [...stale].filter(([name]) => source.includes(name));
    return old.length ? `${source} (earlier run: ${old.map(([n, d]) => `${n} ${d}`).join(', ')})` : source;
  };
  return {
    title: 'targets of issues 4 and 8',
    rows: checks.map(
      (c): Row => ({
        target: c.target,
        issue: c.issue,
        measured: c.value,
        unit: c.unit,
        goal: `${c.atLeast ? '>=' : '<'} ${c.limit.toLocaleString('en-US')}`,
        'measured / goal': c.value === null ? null : +(c.value / c.limit).toFixed(2),
        met:
          c.value === null
            ? 'not run'
            : c.problem
              ? `NO: ${c.problem}`
              : (c.atLeast ? c.value >= c.limit : c.value < c.limit)
                ? 'yes'
                : 'NO',
        from: staleNote(c.source),
      }),
    ),
  };
}
