/**
 * Child processes the benches start: the broker (the CLI, in its own process so the load
 * generator does not share its event loop), peers and load generators. Every process binds
 * 127.0.0.1 only, every run is bounded in time, and only the PIDs started here are ever signalled.
 */
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API, apiVersionsRequest, WireConnection } from './wire.js';

export const HOST = '127.0.0.1';

/** A free loopback port (bound to 0 then released; the small race is acceptable for a bench). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** VmRSS and VmHWM (peak) of a process in MiB, from /proc; null when it is gone. */
export async function rssMiB(pid: number): Promise<{ rss: number; hwm: number } | null> {
  try {
    const s = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? Number.NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** Stops a child we started: SIGTERM, then SIGKILL after `graceMs`. Resolves when it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Polls ApiVersions on a fresh socket until answered; resolves with the time it answered. */
export async function waitForKafka(port: number, deadlineMs: number, child?: ChildProcess): Promise<number> {
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before answering`);
    try {
      const c = await WireConnection.connect(HOST, port, 1000);
      try {
        await c.request(API.API_VERSIONS, 3, apiVersionsRequest());
        return performance.now();
      } finally {
        c.close();
      }
    } catch {
      if (performance.now() > deadline)
        throw new Error(`no ApiVersions answer on ${HOST}:${port} within ${deadlineMs} ms`);
      await sleep(2);
    }
  }
}

export interface BrokerProcess {
  child: ChildProcess;
  port: number;
  dataDir: string;
  /** ms from spawn() to the first answered ApiVersions. */
  startupMs: number;
  stop(): Promise<void>;
}

export interface BrokerProcessOptions {
  /** Extra broker configs (Kafka names). */
  overrides?: Record<string, string>;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=...']. */
  nodeFlags?: string[];
  /** Parent of the data dir (default the OS temp dir). */
  dir?: string;
  stdio?: SpawnOptions['stdio'];
}

/** Spawns `vltava server start` on a free loopback port with a fresh data dir. */
export async function spawnBroker(opts: BrokerProcessOptions = {}): Promise<BrokerProcess> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(opts.dir ?? tmpdir(), 'vltava-bench-broker-'));
  const overrides = { listeners: `PLAINTEXT://${HOST}:${port}`, 'log.dirs': dataDir, ...opts.overrides };
  const args = [
    ...(opts.nodeFlags ?? []),
    'dist/src/cli/main.js',
    'server',
    'start',
    '--log-level',
    'warn',
    '--log-format',
    'json',
  ];
  for (const [k, v] of Object.entries(overrides)) args.push('--override', `${k}=${v}`);
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: opts.stdio ?? ['ignore', 'ignore', 'inherit'] });
  let startupMs: number;
  try {
    startupMs = (await waitForKafka(port, 15000, child)) - t0;
  } catch (err) {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    child,
    port,
    dataDir,
    startupMs,
    async stop() {
      await stopChild(child, 10000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs a command to completion with a time limit; resolves with its output and wall time. */
export function runCommand(
  cmd: string,
  args: string[],
  timeoutMs: number,
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stdoutBytes: number; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stdoutBytes = 0;
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdoutBytes += d.length;
      if (stdout.length < 5e7) stdout += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 1e5) stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stdoutBytes, stderr, ms: performance.now() - t0 });
    });
    // A child that exits without reading its input (e.g. `sync`) must not crash us with EPIPE.
    child.stdin!.on('error', () => {});
    child.stdin!.end(options.input ?? '');
  });
}
