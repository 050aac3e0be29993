/**
 * Connection settings shared by every client subcommand, and where they come from.
 *
 * Bootstrap servers, first match wins: --bootstrap-server, $VLTAVA_BOOTSTRAP_SERVER,
 * bootstrap.servers in --command-config, bootstrap.servers in the profile, localhost:9092.
 * Client properties: the profile ($VLTAVA_CONFIG, else ~/.config/vltava/config.properties when it
 * exists) overlaid by --command-config (so a per-command file refines a personal default).
 *
 * --timeout bounds the whole operation of admin commands and the connection setup of producers
 * and consumers: a dead or wrong address must fail in seconds, not after the client's 30 s
 * request timeout and retries, because people type these commands and scripts wait on them.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import type { ClientOptions } from '../../client/options.js';
import { parseProperties } from '../../common/config/properties.js';
import { createLogger } from '../../common/logger.js';
import { type ClientProperties, clientOptionsFrom, unknownProperties } from './client-properties.js';
import { CliError, ExitCode, usageError } from './errors.js';
import { type OutputFormat, Printer } from './output.js';

export const DEFAULT_BOOTSTRAP = 'localhost:9092';
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface ConnectionFlags {
  bootstrapServer?: string;
  commandConfig?: string;
  timeout?: string;
  output?: string;
}

/** Adds --bootstrap-server, --command-config, --timeout and (optionally) --output to a command. */
export function addConnectionOptions(cmd: Command, o: { output?: boolean } = {}): Command {
  cmd
    .option(
      '-b, --bootstrap-server <host:port[,host:port...]>',
      `brokers to bootstrap from (env VLTAVA_BOOTSTRAP_SERVER, default ${DEFAULT_BOOTSTRAP})`,
    )
    .option(
      '--command-config <file>',
      'client properties file (Kafka client config names); overlays the profile $VLTAVA_CONFIG or ~/.config/vltava/config.properties',
    )
    .option(
      '--timeout <ms>',
      `give up when the cluster does not answer within this many ms (default ${DEFAULT_TIMEOUT_MS})`,
    );
  if (o.output !== false)
    cmd.addOption(
      new Option('--output <format>', 'table (for people) or json (for scripts)')
        .choices(['table', 'json'])
        .default('table'),
    );
  return cmd;
}

export interface CliContext {
  bootstrapServers: string;
  properties: ClientProperties;
  timeoutMs: number;
  out: Printer;
  /** Base client options: bootstrap servers, timeouts bounded by --timeout, a quiet logger. */
  clientOptions: ClientOptions;
}

async function readPropertiesFile(path: string, what: string): Promise<ClientProperties> {
  let text: string;
  try {
    text = await readFile(path, 'latin1');
  } catch (err) {
    throw new CliError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      ExitCode.USAGE,
    );
  }
  return new Map(parseProperties(text, path).map((e) => [e.key, e.value]));
}

export function profilePath(env: NodeJS.ProcessEnv = process.env): { path: string; explicit: boolean } {
  if (env.VLTAVA_CONFIG) return { path: env.VLTAVA_CONFIG, explicit: true };
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return { path: join(base, 'vltava', 'config.properties'), explicit: false };
}

export function parsePositiveInt(v: string, flag: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw usageError(`${flag} expects an integer >= ${min}, got '${v}'`);
  return n;
}

export async function resolveContext(
  flags: ConnectionFlags,
  extra: { properties?: ClientProperties; propertiesFile?: string } = {},
): Promise<CliContext> {
  const out = new Printer((flags.output ?? 'table') as OutputFormat);
  const props: ClientProperties = new Map();
  const profile = profilePath();
  let profileProps: ClientProperties = new Map();
  try {
    profileProps = await readPropertiesFile(profile.path, 'profile');
  } catch (err) {
    // The default profile location is optional; a profile named by $VLTAVA_CONFIG is not.
    if (profile.explicit) throw err;
  }
  for (const [k, v] of profileProps) props.set(k, v);
  let fileProps: ClientProperties = new Map();
  for (const file of [flags.commandConfig, extra.propertiesFile]) {
    if (file === undefined) continue;
    fileProps = await readPropertiesFile(file, 'client properties file');
    for (const [k, v] of fileProps) props.set(k, v);
  }
  for (const [k, v] of extra.properties ?? []) props.set(k, v);
  const bootstrapServers =
    flags.bootstrapServer ??
    process.env.VLTAVA_BOOTSTRAP_SERVER ??
    fileProps.get('bootstrap.servers') ??
    profileProps.get('bootstrap.servers') ??
    DEFAULT_BOOTSTRAP;
  if (bootstrapServers.split(',').every((s) => s.trim() === '')) throw usageError('--bootstrap-server names no broker');
  const timeoutMs = flags.timeout === undefined ? DEFAULT_TIMEOUT_MS : parsePositiveInt(flags.timeout, '--timeout');
  for (const k of unknownProperties(props)) out.warn(`ignoring unknown client property '${k}'`);
  const base: ClientOptions = {
    bootstrapServers,
    clientId: 'vltava-cli',
    requestTimeoutMs: timeoutMs,
    connectTimeoutMs: Math.min(timeoutMs, 10_000),
    // The client logs at warn; the CLI reports errors itself, one line each.
    logger: createLogger({ name: 'vltava-cli', level: (process.env.VLTAVA_LOG_LEVEL as 'error') ?? 'silent' }),
  };
  return { bootstrapServers, properties: props, timeoutMs, out, clientOptions: clientOptionsFrom(props, base) };
}

/**
 * Bounds an operation by --timeout. The client retries retriable errors (a refused connection,
 * a missing leader) inside its own deadlines; this is the outer promise to the user.
 */
export async function withTimeout<T>(
  ctx: Pick<CliContext, 'timeoutMs' | 'bootstrapServers'>,
  what: string,
  p: Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CliError(
            `timed out after ${ctx.timeoutMs} ms ${what} (bootstrap ${ctx.bootstrapServers}); is a broker running there? (--timeout to wait longer)`,
            ExitCode.UNREACHABLE,
          ),
        ),
      ctx.timeoutMs,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
