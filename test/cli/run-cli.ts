// Runs the real `vltava` executable (dist/src/cli/main.js) as a child process, the way a user or
// a script does, with a clean environment: no profile, no colours, no inherited bootstrap.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const HOME = mkdtempSync(join(tmpdir(), 'vltava-cli-home-'));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string | undefined>;
  /** Kill the process after this long (a hang is a failure, reported with what it printed). */
  killAfterMs?: number;
}

export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME,
    XDG_CONFIG_HOME: join(HOME, '.config'),
    NO_COLOR: '1',
    ...extra,
  };
  for (const k of ['VLTAVA_BOOTSTRAP_SERVER', 'VLTAVA_CONFIG', 'FORCE_COLOR']) if (!(k in extra)) delete env[k];
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

export function runCli(args: string[], o: RunOptions = {}): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env: cliEnv(o.env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(o.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), o.killAfterMs ?? 30_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Starts the CLI and resolves once its stdout has printed `lines` lines; returns the process. */
export function startCli(
  args: string[],
  lines: number,
): Promise<{ stop: () => Promise<CliResult>; stdout: () => string }> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const closed = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })),
  );
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.split('\n').length - 1 >= lines) {
        resolve({
          stdout: () => stdout,
          stop: () => {
            child.kill('SIGINT');
            return closed;
          },
        });
      }
    });
    closed.then((r) => reject(new Error(`vltava exited (${r.code}) before printing ${lines} lines: ${r.stderr}`)));
  });
}

/** A TCP port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const jsonLines = (s: string): unknown[] =>
  s
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
