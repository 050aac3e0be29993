/**
 * Structured logging with pino. Output is JSON lines (one object per event, for machines) unless
 * the destination is a TTY, where the same events are rendered as one readable line each:
 *   12:00:01.234 INFO  broker: listening  address=127.0.0.1:9092 brokerId=0
 * The pretty form is a tiny formatter here rather than pino-pretty, to keep the dependency set small
 * and the hot path free of worker threads. Level comes from options, else VLTAVA_LOG_LEVEL, else info.
 */
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = LevelWithSilent;

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

export function resolveLogLevel(level?: string): LogLevel {
  const l = (level ?? process.env.VLTAVA_LOG_LEVEL ?? 'info').toLowerCase();
  if (!LEVELS.includes(l)) throw new RangeError(`unknown log level '${l}' (expected one of ${LEVELS.join(', ')})`);
  return l as LogLevel;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const dest = options.destination ?? process.stderr;
  const format = options.format ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && dest.isTTY === true);
  const level = resolveLogLevel(options.level);
  const base = { level, name: options.name, base: undefined, timestamp: pino.stdTimeFunctions.epochTime };
  if (!pretty) return pino(base, dest as pino.DestinationStream);
  return pino(base, { write: (line: string) => dest.write(formatPretty(line)) });
}

/** A logger that discards everything; the default for embedded brokers in tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
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
