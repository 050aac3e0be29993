/**
 * The machine's own limits, measured in the same run as the broker benches so ratios compare like
 * with like: loopback TCP between two Node processes (1 MiB writes, as the blaster sends), raw
 * sequential write of the data dir's file system (1 MiB writes, without and with fdatasync per
 * write), CRC32C (the native binding the broker uses) and a bare 1 MiB memory copy.
 *
 * The TCP and disk-write measurements live in bench/lib/machine-limits.ts, shared with the matrix.
 *
 *   node dist/bench/limits.js [--smoke] [--seconds N] [--dir DIR] [--out FILE]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c } from '../src/protocol/records/crc32c.js';
import { LatencyHistogram, type LatencySummary } from './lib/histogram.js';
import { diskWrite, type LimitRow, loopbackTcp } from './lib/machine-limits.js';
import { argNumber, argValue, printTables, type Row, type Table, writeReport } from './lib/report.js';

const MiB = 1024 * 1024;

/**
 * Latency of small sequential appends at a fixed rate (10 KiB every ms = 10 MB/s, the e2e
 * latency workload's shape) through FileHandle.write, i.e. the libuv threadpool and the kernel's
 * page cache: the floor under the broker's produce latency on this machine.
 */
async function diskWriteLatency(dir: string, seconds: number): Promise<{ row: LimitRow; latency: LatencySummary }> {
  const path = join(dir, 'limits-latency.bin');
  const chunk = randomBytes(10 * 1024);
  const fh = await open(path, 'w');
  const hist = new LatencyHistogram();
  const end = performance.now() + seconds * 1000;
  let pos = 0;
  while (performance.now() < end) {
    const t = performance.now();
    await fh.write(chunk, 0, chunk.length, pos);
    hist.recordMs(performance.now() - t);
    pos += chunk.length;
    await new Promise((r) => setTimeout(r, 1));
  }
  await fh.close();
  await rm(path, { force: true });
  const latency = hist.summary();
  return {
    row: {
      limit: 'disk write latency, 10 KiB appends every ~1 ms',
      chunkBytes: chunk.length,
      MBps: pos / 1e6 / seconds,
      note: `p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms, p99.9 ${latency.p999Ms} ms, max ${latency.maxMs} ms`,
    },
    latency,
  };
}

function cpuLoop(name: string, seconds: number, fn: () => number, bytesPerCall: number, note: string): LimitRow {
  let sink = 0;
  for (let i = 0; i < 20; i++) sink += fn();
  let calls = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) sink += fn();
    calls += 16;
  }
  const ms = performance.now() - t0;
  if (sink === 0.5) console.log(''); // keeps the work observable
  return { limit: name, chunkBytes: bytesPerCall, MBps: (calls * bytesPerCall) / 1e6 / (ms / 1000), note };
}

export async function runLimits(argv: string[]): Promise<LimitRow[]> {
  const smoke = argv.includes('--smoke');
  const seconds = argNumber(argv, '--seconds', smoke ? 0.2 : 4);
  const dir = await mkdtemp(join(argValue(argv, '--dir') ?? tmpdir(), 'vltava-limits-'));
  const data = randomBytes(MiB);
  const target = Buffer.allocUnsafe(MiB);
  try {
    return [
      await loopbackTcp(4, seconds),
      await loopbackTcp(1, seconds),
      await diskWrite(dir, smoke ? 4 * MiB : 2048 * MiB, false),
      await diskWrite(dir, smoke ? 4 * MiB : 256 * MiB, true),
      (await diskWriteLatency(dir, smoke ? 0.2 : 5)).row,
      cpuLoop('CRC32C (@node-rs/crc32)', seconds, () => crc32c(data), MiB, 'one thread'),
      cpuLoop('memory copy (Buffer.copy)', seconds, () => data.copy(target), MiB, 'one thread'),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function limitsTable(rows: LimitRow[]): Table {
  return {
    title: 'limits: this machine, same run',
    rows: rows.map((r): Row => ({ limit: r.limit, 'chunk bytes': r.chunkBytes, 'MB/s': r.MBps, note: r.note })),
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const smoke = argv.includes('--smoke');
  const rows = await runLimits(argv);
  const table = limitsTable(rows);
  printTables([table]);
  const out = argValue(argv, '--out') ?? (smoke ? null : 'bench/results/limits.json');
  if (out) {
    writeReport(out, {
      benchmark: 'limits',
      script: 'dist/bench/limits.js',
      argv,
      workload:
        '1 MiB chunks: TCP writes with backpressure to a counting sink process; FileHandle.write at increasing offsets; CRC32C and Buffer.copy in a loop.',
      tables: [table],
      data: { results: rows },
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
