/**
 * Peers a user might pick instead, in the same run and with the same client shape: Redis Streams
 * (XADD, pipelined; AOF off, and appendonly with appendfsync everysec) and NATS JetStream (file
 * storage, acked publishes), each fed 1 KiB records in pipelined groups of 64 over 4 connections,
 * beside Vltava fed the same records as 64-record Produce batches (acks=1), and as 1 MiB batches.
 * Each connection appends to its own log: a Vltava partition, a Redis stream key, a JetStream
 * stream. Every row checks its acknowledged appends against the server's own count.
 * Servers come from Debian (redis-server, nats-server; scripts/bench-deps.sh installs them) and run
 * on free loopback ports with temp dirs. A missing server is reported as skipped. Each system starts
 * after an untimed `sync`, so none pays for the writeback of what the one before it (or an earlier
 * bench) left dirty.
 *
 *   node dist/bench/peers.js [--smoke] [--seconds N] [--out FILE]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_BROKER_OVERRIDES, blast } from './blaster.js';
import type { LatencySummary } from './lib/histogram.js';
import { type PipelineResult, type ReplyCounter, runPipeline } from './lib/pipeline.js';
import { syncDisks } from './lib/machine-limits.js';
import { freePort, HOST, sleep, spawnBroker, stopChild } from './lib/processes.js';
import { argNumber, argValue, printTables, type Row, type Table, writeReport } from './lib/report.js';

const RECORD = 1024;
const PER_GROUP = 64;
const CONNECTIONS = 4;
const WINDOW = 4;

export interface PeerRow {
  system: string;
  persistence: string;
  recordsPerSec: number | null;
  MBps: number | null;
  latency: LatencySummary | null;
  /** Errors of the run, a failed stored-count check included; a row with errors does not count. */
  errors: number;
  note: string;
}

function which(cmd: string): string | null {
  for (const dir of ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'])
    if (existsSync(join(dir, cmd))) return join(dir, cmd);
  return null;
}

/** RESP replies: counts `$n` bulk strings, `+`/`:` lines and `-` errors, across chunk borders. */
function respCounter(): ReplyCounter {
  let buf: Buffer = Buffer.alloc(0);
  return {
    feed(chunk) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let replies = 0;
      let errors = 0;
      let firstError: string | undefined;
      let pos = 0;
      for (;;) {
        const eol = buf.indexOf('\r\n', pos);
        if (eol < 0) break;
        const type = buf[pos];
        let next = eol + 2;
        if (type === 0x24 /* $ */) {
          const n = Number(buf.toString('latin1', pos + 1, eol));
          if (n >= 0) next = eol + 2 + n + 2;
          if (next > buf.length) break;
        } else if (type === 0x2d /* - */) {
          errors++;
          firstError ??= buf.toString('utf8', pos, eol);
        }
        replies++;
        pos = next;
      }
      buf = buf.subarray(pos);
      return { replies, errors, ...(firstError ? { firstError } : {}) };
    },
  };
}

/** 64 XADDs to connection `connection`'s own stream key (`stream<i>`), as Vltava's connection i has its own partition. */
function xaddGroup(value: Buffer, connection: number): Buffer {
  const key = `stream${connection}`;
  const head = Buffer.from(
    `*5\r\n$4\r\nXADD\r\n$${key.length}\r\n${key}\r\n$1\r\n*\r\n$1\r\nv\r\n$${value.length}\r\n`,
  );
  const one = Buffer.concat([head, value, Buffer.from('\r\n')]);
  return Buffer.concat(Array.from({ length: PER_GROUP }, () => one));
}

async function waitPort(
  port: number,
  child: ChildProcess,
  probe: (s: Socket) => Promise<void>,
  deadlineMs = 10000,
): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const s = connect({ host: HOST, port });
      await new Promise<void>((res, rej) => {
        s.once('connect', res);
        s.once('error', rej);
      });
      await probe(s);
      s.destroy();
      return;
    } catch {
      if (performance.now() > deadline) throw new Error(`no server on ${HOST}:${port}`);
      await sleep(20);
    }
  }
}

function readUntil(s: Socket, pattern: RegExp, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}: ${text.slice(0, 200)}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      text += d.toString('latin1');
      if (pattern.test(text)) {
        clearTimeout(timer);
        s.off('data', onData);
        resolve(text);
      }
    };
    s.on('data', onData);
  });
}

async function redis(appendonly: boolean, seconds: number, warmupMs: number, value: Buffer): Promise<PipelineResult> {
  await syncDisks();
  const bin = which('redis-server')!;
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'vltava-bench-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--dir',
    dir,
    '--save',
    '',
    '--protected-mode',
    'no',
    '--daemonize',
    'no',
    '--logfile',
    '',
  ];
  args.push(...(appendonly ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no']));
  const child = spawn(bin, args, { stdio: 'ignore' });
  try {
    await waitPort(port, child, async (s) => {
      const reply = readUntil(s, /\r\n/);
      s.write('PING\r\n');
      if (!(await reply).startsWith('+PONG')) throw new Error('no PONG');
    });
    const r = await runPipeline({
      port,
      connections: CONNECTIONS,
      window: WINDOW,
      group: (connection) => xaddGroup(value, connection),
      perGroup: PER_GROUP,
      recordBytes: RECORD,
      durationMs: seconds * 1000,
      warmupMs,
      setup: async () => respCounter(),
    });
    let stored = 0;
    for (let i = 0; i < CONNECTIONS; i++) {
      await waitPort(port, child, async (sock) => {
        const reply = readUntil(sock, /:\d+\r\n/);
        sock.write(`XLEN stream${i}\r\n`);
        stored += Number(/:(\d+)/.exec(await reply)![1]);
      });
    }
    return checkStored(r, stored);
  } finally {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  }
}

/** NATS protocol: counts MSG deliveries (JetStream publish acks) and answers server PINGs. */
function natsCounter(socket: Socket): ReplyCounter {
  let buf: Buffer = Buffer.alloc(0);
  return {
    feed(chunk) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let replies = 0;
      let errors = 0;
      let firstError: string | undefined;
      let pos = 0;
      for (;;) {
        const eol = buf.indexOf('\r\n', pos);
        if (eol < 0) break;
        const line = buf.toString('latin1', pos, eol);
        let next = eol + 2;
        if (line.startsWith('MSG ')) {
          const n = Number(line.slice(line.lastIndexOf(' ') + 1));
          next = eol + 2 + n + 2;
          if (next > buf.length) break;
          const payload = buf.toString('utf8', eol + 2, eol + 2 + n);
          if (payload.includes('"error"')) {
            errors++;
            firstError ??= payload;
          }
          replies++;
        } else if (line === 'PING') {
          socket.write('PONG\r\n');
        } else if (line.startsWith('-ERR')) {
          errors++;
          firstError ??= line;
        }
        pos = next;
      }
      buf = buf.subarray(pos);
      return { replies, errors, ...(firstError ? { firstError } : {}) };
    },
  };
}

async function natsHandshake(s: Socket): Promise<void> {
  const pong = readUntil(s, /PONG\r\n/);
  s.write('CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1}\r\nPING\r\n');
  await pong;
}

async function jetstream(seconds: number, warmupMs: number, value: Buffer): Promise<PipelineResult> {
  await syncDisks();
  const bin = which('nats-server')!;
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'vltava-bench-nats-'));
  const child = spawn(bin, ['-a', HOST, '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
  try {
    await waitPort(port, child, natsHandshake);
    // Each connection has its own reply subject: a subject all connections subscribed to would
    // deliver every ack to every connection, and each would count the others' acks as its own.
    const group = (connection: number) =>
      Buffer.concat(
        Array.from({ length: PER_GROUP }, () =>
          Buffer.concat([
            Buffer.from(`PUB bench.${connection}.records _INBOX.bench.${connection} ${value.length}\r\n`),
            value,
            Buffer.from('\r\n'),
          ]),
        ),
      );
    // One stream per connection (BENCH0..3 on bench.<i>.>), as Vltava's connection i has its own
    // partition. Each must exist before any publish, or publishes go unanswered.
    for (let i = 0; i < CONNECTIONS; i++) {
      await waitPort(port, child, async (s) => {
        await natsHandshake(s);
        s.write('SUB _INBOX.create 1\r\n');
        const config = JSON.stringify({
          name: `BENCH${i}`,
          subjects: [`bench.${i}.>`],
          storage: 'file',
          retention: 'limits',
          discard: 'old',
          max_bytes: 4 * 1024 ** 3,
          num_replicas: 1,
        });
        const reply = readUntil(s, /MSG _INBOX\.create[^\r]*\r\n[^\r]*\r\n/);
        s.write(`PUB $JS.API.STREAM.CREATE.BENCH${i} _INBOX.create ${Buffer.byteLength(config)}\r\n${config}\r\n`);
        const text = await reply;
        if (text.includes('"error"')) throw new Error(`stream create: ${text}`);
      });
    }
    const r = await runPipeline({
      port,
      connections: CONNECTIONS,
      window: WINDOW,
      group,
      perGroup: PER_GROUP,
      recordBytes: RECORD,
      durationMs: seconds * 1000,
      warmupMs,
      setup: async (s, connection) => {
        await natsHandshake(s);
        const pong = readUntil(s, /PONG\r\n/);
        s.write(`SUB _INBOX.bench.${connection} 1\r\nPING\r\n`);
        await pong;
        return natsCounter(s);
      },
    });
    let stored = 0;
    for (let i = 0; i < CONNECTIONS; i++) {
      await waitPort(port, child, async (sock) => {
        await natsHandshake(sock);
        sock.write('SUB _INBOX.info 1\r\n');
        const reply = readUntil(sock, /MSG _INBOX\.info[^\r]*\r\n[^\r]*\r\n/);
        sock.write(`PUB $JS.API.STREAM.INFO.BENCH${i} _INBOX.info 0\r\n\r\n`);
        const m = /"messages":(\d+)/.exec(await reply);
        if (!m) throw new Error('stream info without a message count');
        stored += Number(m[1]);
      });
    }
    return checkStored(r, stored);
  } finally {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Every acknowledged append must be stored once: the server's own count (XLEN, JetStream stream
 * state) has to equal the successful replies the driver counted over the whole run, or the
 * driver's count (and so the row) is wrong. A mismatch is reported as an error on the row.
 */
function checkStored(r: PipelineResult, stored: number): PipelineResult {
  const acked = r.replies - r.errors;
  if (stored === acked) return r;
  return {
    ...r,
    errors: r.errors + 1,
    firstError: r.firstError ?? `the driver counted ${acked} acknowledged appends, the server stored ${stored}`,
  };
}

const peerRow = (system: string, persistence: string, r: PipelineResult, note: string): PeerRow => ({
  system,
  persistence,
  recordsPerSec: r.recordsPerSec,
  MBps: r.MBps,
  latency: r.latency,
  errors: r.errors,
  note: r.errors ? `${note}; ${r.errors} errors: ${r.firstError}` : note,
});

const skipped = (system: string, persistence: string, why: string): PeerRow => ({
  system,
  persistence,
  recordsPerSec: null,
  MBps: null,
  latency: null,
  errors: 0,
  note: `skipped: ${why}`,
});

export async function runPeers(argv: string[]): Promise<PeerRow[]> {
  const smoke = argv.includes('--smoke');
  const seconds = argNumber(argv, '--seconds', smoke ? 0.3 : 5);
  const warmupMs = smoke ? 100 : 1000;
  const value = randomBytes(RECORD);
  const rows: PeerRow[] = [];
  const shape = `${CONNECTIONS} conns x ${WINDOW} groups of ${PER_GROUP} in flight`;

  for (const [name, recordsPerBatch] of [
    ['64-record batches', PER_GROUP],
    ['1 MiB batches', undefined],
  ] as const) {
    await syncDisks();
    const broker = await spawnBroker({ overrides: BENCH_BROKER_OVERRIDES });
    try {
      const r = await blast({
        port: broker.port,
        topic: 'peers',
        connections: CONNECTIONS,
        window: WINDOW,
        recordBytes: RECORD,
        requestBytes: 1024 * 1024,
        acks: 1,
        durationMs: seconds * 1000,
        warmupMs,
        ...(recordsPerBatch ? { recordsPerBatch } : {}),
      });
      const note = `Produce v9, ${CONNECTIONS} conns x ${WINDOW} requests in flight, ${r.recordsPerRequest} records each`;
      const checked =
        r.storedRecords === r.ackedRecords
          ? ''
          : `; the log end offsets add up to ${r.storedRecords}, ${r.ackedRecords} records were acknowledged`;
      rows.push({
        system: `Vltava, ${name}`,
        persistence: 'page cache, acks=1 (Kafka default: no fsync per append, fsync at segment roll)',
        recordsPerSec: r.recordsPerSec,
        MBps: (r.recordsPerSec * RECORD) / 1e6,
        latency: r.latency,
        errors: r.errors,
        note: r.errors ? `${note}; ${r.errors} errors${checked}` : note,
      });
    } finally {
      await broker.stop();
    }
  }
  if (which('redis-server')) {
    rows.push(
      peerRow('Redis Streams', 'AOF off (memory only)', await redis(false, seconds, warmupMs, value), `XADD, ${shape}`),
    );
    rows.push(
      peerRow(
        'Redis Streams',
        'AOF, appendfsync everysec',
        await redis(true, seconds, warmupMs, value),
        `XADD, ${shape}`,
      ),
    );
  } else {
    rows.push(skipped('Redis Streams', '-', 'redis-server not installed (scripts/bench-deps.sh)'));
  }
  if (which('nats-server')) {
    rows.push(
      peerRow(
        'NATS JetStream',
        'file storage (sync every 2 min, the default)',
        await jetstream(seconds, warmupMs, value),
        `acked PUB, ${shape}`,
      ),
    );
  } else {
    rows.push(skipped('NATS JetStream', '-', 'nats-server not installed (scripts/bench-deps.sh)'));
  }
  return rows;
}

export function peersTable(rows: PeerRow[]): Table {
  const small = rows.find((r) => r.system.startsWith('Vltava, 64'))?.recordsPerSec ?? null;
  const large = rows.find((r) => r.system.startsWith('Vltava, 1 MiB'))?.recordsPerSec ?? null;
  const smallRow = rows.find((r) => r.system.startsWith('Vltava, 64'));
  const largeRow = rows.find((r) => r.system.startsWith('Vltava, 1 MiB'));
  // No ratio where either side had errors.
  const ratio = (v: number | null, r: PeerRow, own: PeerRow | undefined) =>
    v !== null && r.recordsPerSec && !r.system.startsWith('Vltava') && r.errors === 0 && own?.errors === 0
      ? +(v / r.recordsPerSec).toFixed(2)
      : null;
  return {
    title: 'peers: durable appends of 1 KiB records, same run',
    rows: rows.map(
      (r): Row => ({
        system: r.system,
        persistence: r.persistence,
        'records/s': r.recordsPerSec,
        'MB/s': r.MBps,
        'p50 ms': r.latency?.p50Ms ?? null,
        'p99 ms': r.latency?.p99Ms ?? null,
        'Vltava 64-rec / peer': ratio(small, r, smallRow),
        'Vltava 1 MiB / peer': ratio(large, r, largeRow),
        note: r.note,
      }),
    ),
    note: 'Latency is per pipelined group (64 commands) or per Produce request, write to last reply.',
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const smoke = argv.includes('--smoke');
  const rows = await runPeers(argv);
  const table = peersTable(rows);
  printTables([table]);
  const out = argValue(argv, '--out') ?? (smoke ? null : 'bench/results/peers.json');
  if (out) {
    writeReport(out, {
      benchmark: 'peers',
      script: 'dist/bench/peers.js',
      argv,
      workload: `1 KiB random records; ${CONNECTIONS} connections, ${WINDOW} pipelined groups of ${PER_GROUP} records in flight per connection, each connection appending to its own partition / stream key / JetStream stream; acknowledged appends checked against the server's count; servers on loopback with temp dirs.`,
      tables: [table],
      data: { results: rows },
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
