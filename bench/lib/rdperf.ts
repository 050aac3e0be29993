/**
 * rdperf (bench/tools/rdperf.c): librdkafka driven from C, so the load generator costs one function
 * call per record and the broker, not Python or kcat, sets the pace. Compiled on first use with the
 * system's `cc` against Debian's librdkafka-dev into node_modules/.cache/vltava/, under a name
 * carrying the source's hash (a stale binary is never run; clones and snapshots sharing
 * node_modules do not race). Every run is bounded: rdperf stops itself at --timeout-s and
 * runCommand kills it a little later.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LatencySummary } from './histogram.js';
import { type ClientRun, failedRun } from './loadgen.js';
import { HOST, runCommand } from './processes.js';

export const RDPERF_SOURCE = 'bench/tools/rdperf.c';
const CACHE_DIR = 'node_modules/.cache/vltava';

/** What rdperf set beyond librdkafka's defaults, per client, as its JSON reports it. */
export type RdperfSettings = Record<string, Record<string, string>>;

export interface RdperfRun extends ClientRun {
  settings?: RdperfSettings;
  /** CLOCK_MONOTONIC (ns) at the run's clock start and end, comparable across rdperf processes. */
  startNs?: number;
  endNs?: number;
  /** What stopped the clock: the last delivery report, the high watermark (acks=0) or the last record. */
  clockEnd?: string;
}

export interface RdperfE2e {
  sent: number;
  received: number;
  latency: LatencySummary | null;
  settings?: RdperfSettings;
  error?: string;
}

let built: Promise<string> | undefined;

async function build(): Promise<string> {
  const source = readFileSync(RDPERF_SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const bin = join(CACHE_DIR, `rdperf-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  let r: Awaited<ReturnType<typeof runCommand>>;
  try {
    r = await runCommand('cc', ['-O2', '-o', tmp, RDPERF_SOURCE, '-lrdkafka', '-lpthread'], 60_000);
  } catch (err) {
    throw new Error(
      `no C compiler (cc: ${(err as Error).message}); install gcc and libc6-dev (bash scripts/ensure-test-deps.sh)`,
    );
  }
  if (r.code !== 0) {
    rmSync(tmp, { force: true });
    const hint = /rdkafka\.h|-lrdkafka/.test(r.stderr)
      ? 'librdkafka-dev is missing (bash scripts/ensure-test-deps.sh installs it)'
      : 'compile failed';
    throw new Error(`${hint}: ${r.stderr.trim().slice(0, 300)}`);
  }
  renameSync(tmp, bin); // atomic: a concurrent run sees the whole binary or none
  return bin;
}

/** The compiled binary's path; builds it once per process. Rejects with why it cannot be built. */
export function rdperfBinary(): Promise<string> {
  built ??= build();
  return built;
}

/** Runs one mode; resolves with rdperf's JSON, or rejects with its stderr when it printed none. */
async function rdperf(args: string[], timeoutS: number): Promise<Record<string, unknown>> {
  const bin = await rdperfBinary();
  const r = await runCommand(bin, [...args, '--timeout-s', String(timeoutS)], (timeoutS + 15) * 1000);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (last.startsWith('{')) return JSON.parse(last) as Record<string, unknown>;
  throw new Error(
    r.code === null
      ? `rdperf killed after ${timeoutS + 15} s`
      : `rdperf exit ${r.code}: ${r.stderr.trim().slice(-300)}`,
  );
}

const bootstrap = (port: number) => `${HOST}:${port}`;

/** One throughput mode against the broker on `port`; a run that could not start says why in `error`. */
async function throughputRun(
  mode: string,
  port: number,
  topic: string,
  args: string[],
  timeoutMs: number,
): Promise<RdperfRun> {
  try {
    return run(await rdperf([mode, '--brokers', bootstrap(port), '--topic', topic, ...args], timeoutMs / 1000));
  } catch (err) {
    return failedRun(err);
  }
}

/**
 * `count` records of `size` bytes to partition 0 (or, with `extra` ['--partitions', 'N'],
 * round-robin over 0..N-1); seconds from the first send to the last ack (acks=0: until the high
 * watermarks account for every record). `acks` -1 is all.
 */
export function rdperfProduce(
  port: number,
  topic: string,
  size: number,
  acks: number,
  count: number,
  timeoutMs: number,
  extra: string[] = [],
): Promise<RdperfRun> {
  const args = ['--size', String(size), '--count', String(count), '--acks', String(acks), ...extra];
  return throughputRun('produce', port, topic, args, timeoutMs);
}

/** Reads `count` records from offset 0 of partition 0, or of 0..N-1 with `extra` ['--partitions', 'N']. */
export function rdperfConsume(
  port: number,
  topic: string,
  count: number,
  timeoutMs: number,
  extra: string[] = [],
): Promise<RdperfRun> {
  return throughputRun('consume', port, topic, ['--count', String(count), ...extra], timeoutMs);
}

/** Fixed-rate producer (acks=all, linger.ms=0) and a consumer at the tail; latency per record. */
export async function rdperfE2e(
  port: number,
  topic: string,
  rateMBps: number,
  size: number,
  seconds: number,
  warmupSeconds: number,
  extra: string[] = [],
): Promise<RdperfE2e> {
  try {
    const r = await rdperf(
      [
        'e2e',
        '--brokers',
        bootstrap(port),
        '--topic',
        topic,
        '--rate-mbps',
        String(rateMBps),
        '--size',
        String(size),
        '--seconds',
        String(seconds),
        '--warmup-seconds',
        String(warmupSeconds),
        ...extra,
      ],
      // primers (up to 20 s), the run, flush (10 s) and drain (5 s) are each bounded inside rdperf
      warmupSeconds + seconds + 40,
    );
    return {
      sent: Number(r.sent),
      received: Number(r.received),
      latency: (r.latency as LatencySummary | null) ?? null,
      settings: r.settings as RdperfSettings,
      ...(r.error ? { error: String(r.error) } : {}),
    };
  } catch (err) {
    return { sent: 0, received: 0, latency: null, error: (err as Error).message };
  }
}

function run(r: Record<string, unknown>): RdperfRun {
  return {
    records: Number(r.records),
    seconds: Number(r.seconds),
    settings: r.settings as RdperfSettings,
    startNs: Number(r.startNs),
    endNs: Number(r.endNs),
    clockEnd: String(r.clockEnd),
    ...(r.error ? { error: String(r.error) } : {}),
  };
}
