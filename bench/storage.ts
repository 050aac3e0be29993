/**
 * Storage benchmark: sequential append throughput of the partition Log beside a raw `fs` write
 * loop of the same sizes in the same run, with and without flush.messages=1 (fsync per append),
 * and recovery time of one unclean segment.
 *
 *   node dist/bench/storage.js [--dir DIR] [--scale F] [--recovery-mib N] [--out FILE] [--smoke]
 *
 * Workloads (scaled by --scale; --smoke uses tiny sizes and writes to --out or a temp file):
 *   1 MiB batches: 512 MiB without flush, 64 MiB with fsync per batch
 *   1 KiB batches: 64 MiB without flush, 2 MiB with fsync per batch
 *   "group commit": 1 KiB batches, fsync per append, 64 appends in flight (one fsync per group)
 *   recovery: a --recovery-mib (default 1024) MiB segment of 64 KiB batches, index files removed,
 *             opened as after an unclean shutdown (CRC + framing scan + index rebuild). The file is
 *             likely in the page cache, so this measures CPU cost of recovery, not the disk.
 * The raw loop writes the same buffer at increasing positions with FileHandle.write (and
 * FileHandle.datasync per write for the fsync rows) — the ceiling for an append path.
 */
import { mkdir, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecordBatch } from '../src/protocol/records/encode.js';
import { Log } from '../src/storage/log/log.js';
import { printTables, type Table, writeReport } from './lib/report.js';

interface Args {
  dir: string;
  scale: number;
  recoveryMiB: number;
  out: string;
  smoke: boolean;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const smoke = argv.includes('--smoke');
  return {
    dir: get('--dir') ?? tmpdir(),
    scale: Number(get('--scale') ?? (smoke ? 0.002 : 1)),
    recoveryMiB: Number(get('--recovery-mib') ?? (smoke ? 1 : 1024)),
    out:
      get('--out') ??
      (smoke ? join(tmpdir(), `vltava-storage-bench-smoke-${process.pid}.json`) : 'bench/results/storage.json'),
    smoke,
  };
}

const MiB = 1024 * 1024;

/** One batch of one record whose total size is `size` bytes. */
function batchOfSize(size: number): Buffer {
  let valueBytes = size - 61 - 12;
  for (;;) {
    const b = encodeRecordBatch({
      records: [{ key: null, value: Buffer.alloc(Math.max(0, valueBytes), 0x5a), timestamp: Date.now() }],
    });
    if (b.length === size || valueBytes <= 0) return b;
    valueBytes -= b.length - size;
  }
}

interface Row {
  workload: string;
  batchBytes: number;
  batches: number;
  fsync: boolean;
  inFlight: number;
  rawMBps: number;
  logMBps: number;
  logBatchesPerSec: number;
  ratio: number;
}

async function rawLoop(dir: string, batch: Buffer, count: number, fsync: boolean): Promise<number> {
  const path = join(dir, 'raw.bin');
  const fh = await open(path, 'w');
  const t0 = performance.now();
  let pos = 0;
  for (let i = 0; i < count; i++) {
    await fh.write(batch, 0, batch.length, pos);
    pos += batch.length;
    if (fsync) await fh.datasync();
  }
  const ms = performance.now() - t0;
  await fh.close();
  await rm(path, { force: true });
  return ms;
}

async function logLoop(dir: string, batch: Buffer, count: number, fsync: boolean, inFlight: number): Promise<number> {
  const logDir = join(dir, 'bench-0');
  await rm(logDir, { recursive: true, force: true });
  const log = await Log.open({
    dir: logDir,
    topicPartition: { topic: 'bench', partition: 0 },
    config: { flushMessages: fsync ? 1 : Number.POSITIVE_INFINITY },
  });
  // Appends patch the header in place, so each in-flight append needs its own copy.
  const copies = Array.from({ length: inFlight }, () => Buffer.from(batch));
  const t0 = performance.now();
  let next = 0;
  const worker = async (c: Buffer): Promise<void> => {
    while (next < count) {
      next++;
      await log.append(c);
    }
  };
  await Promise.all(copies.map(worker));
  const ms = performance.now() - t0;
  await log.close();
  await rm(logDir, { recursive: true, force: true });
  return ms;
}

async function measure(
  dir: string,
  name: string,
  batchBytes: number,
  totalBytes: number,
  fsync: boolean,
  inFlight = 1,
): Promise<Row> {
  const batch = batchOfSize(batchBytes);
  const count = Math.max(4, Math.floor(totalBytes / batchBytes));
  // Warm-up of both paths (JIT, file creation) so the first measured case is not penalised.
  await rawLoop(dir, batch, Math.min(count, 8), false);
  await logLoop(dir, batch, Math.min(count, 8), false, 1);
  const rawMs = await rawLoop(dir, batch, count, fsync);
  const logMs = await logLoop(dir, batch, count, fsync, inFlight);
  const mb = (count * batchBytes) / 1e6;
  return {
    workload: name,
    batchBytes,
    batches: count,
    fsync,
    inFlight,
    rawMBps: mb / (rawMs / 1000),
    logMBps: mb / (logMs / 1000),
    logBatchesPerSec: count / (logMs / 1000),
    ratio: rawMs / logMs,
  };
}

async function recovery(
  dir: string,
  mib: number,
): Promise<{ segmentBytes: number; ms: number; MBps: number; batches: number }> {
  const logDir = join(dir, 'bench-recovery-0');
  await rm(logDir, { recursive: true, force: true });
  const tp = { topic: 'bench-recovery', partition: 0 };
  const config = { segmentBytes: 2 * 1024 * MiB };
  const log = await Log.open({ dir: logDir, topicPartition: tp, config });
  const batch = batchOfSize(64 * 1024);
  const count = Math.floor((mib * MiB) / batch.length);
  for (let i = 0; i < count; i++) await log.append(batch);
  await log.closeUnclean();
  for (const f of await readdir(logDir)) if (f.endsWith('index')) await rm(join(logDir, f));
  const t0 = performance.now();
  const reopened = await Log.open({ dir: logDir, topicPartition: tp, config, hadCleanShutdown: false });
  const ms = performance.now() - t0;
  if (reopened.logEndOffset !== count) throw new Error(`recovered ${reopened.logEndOffset} of ${count} batches`);
  await reopened.close();
  await rm(logDir, { recursive: true, force: true });
  return { segmentBytes: count * batch.length, ms, MBps: (count * batch.length) / 1e6 / (ms / 1000), batches: count };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  await mkdir(args.dir, { recursive: true });
  const dir = await mkdtemp(join(args.dir, 'vltava-bench-'));
  const s = args.scale;
  try {
    const rows: Row[] = [];
    rows.push(await measure(dir, 'append 1 MiB', MiB, 512 * MiB * s, false));
    rows.push(await measure(dir, 'append 1 MiB, fsync each', MiB, 64 * MiB * s, true));
    rows.push(await measure(dir, 'append 1 KiB', 1024, 64 * MiB * s, false));
    rows.push(await measure(dir, 'append 1 KiB, fsync each', 1024, 2 * MiB * s, true));
    rows.push(await measure(dir, 'append 1 KiB, fsync, 64 in flight', 1024, 8 * MiB * s, true, 64));
    const rec = await recovery(dir, args.recoveryMiB);

    const appendTable: Table = {
      title: 'storage: sequential append, Log vs raw FileHandle.write',
      rows: rows.map((r) => ({
        workload: r.workload,
        batches: r.batches,
        'raw MB/s': r.rawMBps,
        'log MB/s': r.logMBps,
        'log batch/s': r.logBatchesPerSec,
        'log/raw': `${(r.ratio * 100).toFixed(0)}%`,
      })),
      note: '(raw: the same batch written with FileHandle.write in a loop, same file system, same run; in-flight rows run raw with one writer)',
    };
    const recoveryTable: Table = {
      title: 'storage: recovery of one unclean segment (indexes removed)',
      rows: [{ 'segment MiB': rec.segmentBytes / MiB, batches: rec.batches, ms: rec.ms, 'MB/s': rec.MBps }],
    };
    printTables([appendTable, recoveryTable]);
    console.log(
      `recovery of a ${(rec.segmentBytes / MiB).toFixed(0)} MiB unclean segment (${rec.batches} batches): ${rec.ms.toFixed(0)} ms, ${rec.MBps.toFixed(0)} MB/s`,
    );
    writeReport(args.out, {
      benchmark: 'storage',
      script: 'dist/bench/storage.js',
      argv,
      workload:
        'Sequential appends of one-record batches of the given size to a partition Log, beside a raw FileHandle.write loop; ' +
        `recovery of a ${args.recoveryMiB} MiB segment of 64 KiB batches. Data dir: ${args.dir}.`,
      tables: [appendTable, recoveryTable],
      data: { dir: args.dir, appends: rows, recovery: rec },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
