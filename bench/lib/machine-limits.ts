/**
 * The machine's own limits that benches divide their figures by, measured in the same run:
 * loopback TCP between two Node processes (1 MiB writes, as the blaster sends), sequential write of
 * a directory's file system (1 MiB writes, without and with fdatasync per write) and, as root,
 * sequential read after the page cache was dropped. Used by bench/limits.ts and bench/matrix.ts.
 *
 *   node dist/bench/lib/machine-limits.js --sink   (internal: the receiving process of the TCP test)
 */
import { execFile, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HOST, stopChild } from './processes.js';

const MiB = 1024 * 1024;

export interface LimitRow {
  limit: string;
  chunkBytes: number;
  MBps: number;
  note: string;
}

/** The sink: counts bytes per connection and answers the count when the sender ends. */
function runSink(): void {
  const server = createServer((socket) => {
    let n = 0;
    socket.on('data', (d: Buffer) => {
      n += d.length;
    });
    socket.on('end', () => socket.end(`${n}\n`));
  });
  server.listen(0, HOST, () => process.send!({ port: (server.address() as { port: number }).port }));
  process.on('disconnect', () => process.exit(0));
}

/** Bytes per second from this process to a sink process over `connections` loopback sockets. */
export async function loopbackTcp(connections: number, seconds: number): Promise<LimitRow> {
  const child = fork(new URL(import.meta.url).pathname, ['--sink'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve) =>
      child.once('message', (m: { port: number }) => resolve(m.port)),
    );
    const chunk = randomBytes(MiB);
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    const totals = await Promise.all(
      Array.from(
        { length: connections },
        () =>
          new Promise<number>((resolve, reject) => {
            const s = connect({ host: HOST, port, noDelay: true });
            let reply = '';
            s.on('error', reject);
            s.on('data', (d: Buffer) => {
              reply += d.toString();
            });
            s.on('end', () => resolve(Number(reply.trim())));
            const pump = () => {
              while (performance.now() < end) if (!s.write(chunk)) return void s.once('drain', pump);
              s.end();
            };
            s.once('connect', pump);
          }),
      ),
    );
    const ms = performance.now() - t0;
    const bytes = totals.reduce((a, b) => a + b, 0);
    return {
      limit: `loopback TCP, Node to Node process, ${connections} conns`,
      chunkBytes: MiB,
      MBps: bytes / 1e6 / (ms / 1000),
      note: 'bytes received by the sink',
    };
  } finally {
    child.disconnect();
    await stopChild(child);
  }
}

/** Sequential 1 MiB writes of about `totalBytes` to a file in `dir`, optionally fdatasync after each. */
export async function diskWrite(dir: string, totalBytes: number, fsync: boolean): Promise<LimitRow> {
  const path = join(dir, `limits-${fsync ? 'sync' : 'buffered'}.bin`);
  const chunk = randomBytes(MiB);
  const fh = await open(path, 'w');
  const count = Math.max(2, Math.floor(totalBytes / MiB));
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    await fh.write(chunk, 0, MiB, i * MiB);
    if (fsync) await fh.datasync();
  }
  const ms = performance.now() - t0;
  await fh.close();
  await rm(path, { force: true });
  return {
    limit: fsync ? 'disk sequential write + fdatasync each' : 'disk sequential write (page cache)',
    chunkBytes: MiB,
    MBps: (count * MiB) / 1e6 / (ms / 1000),
    note: `${count} MiB written to ${dir}`,
  };
}

/**
 * Runs `sync` (every dirty page of the machine written back). execFile rather than runCommand:
 * runCommand writes the child's stdin, and `sync` can exit before that write (EPIPE).
 */
export async function syncDisks(): Promise<void> {
  await promisify(execFile)('sync', [], { timeout: 120_000 });
}

/**
 * `sync`, then drops the clean page cache (all of it: the kernel has no finer switch). Root only;
 * resolves with null when done, or with why it could not be done. It slows every process on the
 * machine for a moment while they read their files back, so benches call it rarely.
 */
export async function dropPageCache(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'not root: cannot write /proc/sys/vm/drop_caches';
  try {
    await syncDisks();
    writeFileSync('/proc/sys/vm/drop_caches', '1');
    return null;
  } catch (err) {
    return `drop_caches failed: ${(err as Error).message}`;
  }
}

/**
 * Sequential 1 MiB reads of a file of about `totalBytes` written (and fdatasynced) first, after the
 * page cache was dropped: the floor under a consumer reading from disk. Resolves with the reason
 * instead when the cache cannot be dropped (not root).
 */
export async function diskReadCold(dir: string, totalBytes: number): Promise<LimitRow | string> {
  const path = join(dir, 'limits-cold-read.bin');
  const chunk = randomBytes(MiB);
  const count = Math.max(2, Math.floor(totalBytes / MiB));
  const fh = await open(path, 'w+');
  try {
    for (let i = 0; i < count; i++) await fh.write(chunk, 0, MiB, i * MiB);
    await fh.datasync();
    const dropped = await dropPageCache();
    if (dropped) return dropped;
    const t0 = performance.now();
    for (let i = 0; i < count; i++) await fh.read(chunk, 0, MiB, i * MiB);
    const ms = performance.now() - t0;
    return {
      limit: 'disk sequential read, page cache dropped',
      chunkBytes: MiB,
      MBps: (count * MiB) / 1e6 / (ms / 1000),
      note: `${count} MiB read from ${dir}`,
    };
  } finally {
    await fh.close();
    await rm(path, { force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv.includes('--sink')) runSink();
