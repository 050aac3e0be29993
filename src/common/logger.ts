/**
 * Structured logging with pino. Output is JSON lines (one object per event, for machines) unless
 * the destination is a TTY, where the same events are rendered as one readable line each:
 *   12:00:01.234 INFO  broker: listening  address=127.0.0.1:9092 brokerId=0
 * The pretty form is a tiny formatter here rather than pino-pretty, to keep the dependency set small
 * and the hot path free of worker threads. Level comes from options, else VLTAVA_LOG_LEVEL, else info.
 *
 * pino itself (some 30 CommonJS modules, a tenth of the broker's startup; issue 8) is loaded by the
 * first call at an enabled level: a broker at level warn with nothing to warn about never loads it,
 * and a call below the level costs one comparison. `Logger` is the part of pino's API Vltava uses,
 * so a caller may pass its own pino logger wherever a Logger is taken.
 */
import { createRequire } from 'node:module';
import type * as Pino from 'pino';
import type { LevelWithSilent, Logger as PinoLogger } from 'pino';

export type LogLevel = LevelWithSilent;

/** One level's log call: fields then message, or a message alone. */
export interface LogFn {
  (fields: object, msg?: string): void;
  (msg: string): void;
}
type LogArgs = [fields: object, msg?: string] | [msg: string];

/** The logging Vltava does; any pino logger is one. */
export interface Logger {
  fatal: LogFn;
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  trace: LogFn;
  /** A logger adding `bindings` to every line. */
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Component name shown on every line. */
  name?: string;
  /** 'json' for JSON lines, 'pretty' for one readable line, 'auto' (default) picks by TTY. */
  format?: 'json' | 'pretty' | 'auto';
  /** Where lines go; defaults to stderr so stdout stays free for command output. */
  destination?: { write(line: string): unknown; isTTY?: boolean };
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
const LEVEL_VALUES: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

export function resolveLogLevel(level?: string): LogLevel {
  const l = (level ?? process.env.VLTAVA_LOG_LEVEL ?? 'info').toLowerCase();
  if (!LEVELS.includes(l)) throw new RangeError(`unknown log level '${l}' (expected one of ${LEVELS.join(', ')})`);
  return l as LogLevel;
}

const require = createRequire(import.meta.url);
let pinoModule: typeof Pino | undefined;
// pino is CommonJS: a plain require also skips the ESM loader's scan of its exports.
const loadPino = (): typeof Pino => (pinoModule ??= require('pino') as typeof Pino);

export function createLogger(options: LoggerOptions = {}): Logger {
  const dest = options.destination ?? process.stderr;
  const format = options.format ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && dest.isTTY === true);
  const level = resolveLogLevel(options.level);
  return new PinoOnFirstUse(LEVEL_VALUES[level], () => {
    const { pino } = loadPino();
    const base = { level, name: options.name, base: undefined, timestamp: pino.stdTimeFunctions.epochTime };
    if (!pretty) return pino(base, dest as Pino.DestinationStream);
    return pino(base, { write: (line: string) => dest.write(formatPretty(line)) });
  });
}

/** A logger that discards everything; the default for embedded brokers in tests. */
export function silentLogger(): Logger {
  return new PinoOnFirstUse(LEVEL_VALUES.silent, () => loadPino().pino({ level: 'silent' }));
}

/** Forwards to the pino logger `make` returns, made on the first call at or above `minLevel`. */
class PinoOnFirstUse implements Logger {
  private pino: PinoLogger | undefined;

  constructor(
    private readonly minLevel: number,
    private readonly make: () => PinoLogger,
  ) {}

  private get logger(): PinoLogger {
    this.pino ??= this.make();
    return this.pino;
  }

  trace(...args: LogArgs): void {
    if (this.minLevel <= 10) this.logger.trace(...(args as [object, string?]));
  }

  debug(...args: LogArgs): void {
    if (this.minLevel <= 20) this.logger.debug(...(args as [object, string?]));
  }

  info(...args: LogArgs): void {
    if (this.minLevel <= 30) this.logger.info(...(args as [object, string?]));
  }

  warn(...args: LogArgs): void {
    if (this.minLevel <= 40) this.logger.warn(...(args as [object, string?]));
  }

  error(...args: LogArgs): void {
    if (this.minLevel <= 50) this.logger.error(...(args as [object, string?]));
  }

  fatal(...args: LogArgs): void {
    if (this.minLevel <= 60) this.logger.fatal(...(args as [object, string?]));
  }

  child(bindings: Record<string, unknown>): Logger {
    return new PinoOnFirstUse(this.minLevel, () => this.logger.child(bindings));
  }
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 10: '\x1b[90m', 20: '\x1b[36m', 30: '\x1b[32m', 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[35m' };

/** Renders one pino JSON line as a human line. Exported for tests. */
export function formatPretty(line: string, color = true): string {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, time, msg, name, err, ...rest } = obj;
  const t = new Date(typeof time === 'number' ? time : Date.now());
  const hh = String(t.getHours()).padStart(2, '0');
  const mm = String(t.getMinutes()).padStart(2, '0');
  const ss = String(t.getSeconds()).padStart(2, '0');
  const ms = String(t.getMilliseconds()).padStart(3, '0');
  const lvl = LEVEL_NAMES[level as number] ?? String(level);
  const c = color ? (COLORS[level as number] ?? '') : '';
  const reset = color ? '\x1b[0m' : '';
  let out = `${hh}:${mm}:${ss}.${ms} ${c}${lvl}${reset} ${name ? `${name}: ` : ''}${msg ?? ''}`;
  for (const [k, v] of Object.entries(rest)) {
    out += `  ${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`;
  }
  if (err && typeof err === 'object') {
    const e = err as { message?: string; stack?: string; code?: string };
    out += `\n    ${(e.stack ?? e.message ?? '').replace(/\n/g, '\n    ')}`;
  }
  return `${out}\n`;
}
