/**
 * Exit codes and the one-line error report every client subcommand ends with. Scripts branch on
 * the exit code; humans read the single stderr line, so no stack trace ever reaches the terminal
 * (set VLTAVA_DEBUG=1 to get one when debugging the CLI itself).
 */
import { ClientError, KafkaError } from '../../client/errors.js';
import { ConfigError, ConfigErrors } from '../../common/errors.js';

export const ExitCode = {
  /** Everything asked for was done. */
  OK: 0,
  /** The cluster refused or part of the work failed (a record not delivered, a topic missing). */
  FAILURE: 1,
  /** Bad flags or values: nothing was sent to the cluster. */
  USAGE: 2,
  /** No broker answered within --timeout (wrong address, broker down, network). */
  UNREACHABLE: 3,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError => new CliError(message, ExitCode.USAGE);

const UNREACHABLE_CODES = new Set([
  'ERR_CLIENT_NO_BROKERS',
  'ERR_CLIENT_CONNECT_FAILED',
  'ERR_CLIENT_REQUEST_TIMEOUT',
  'ERR_CLIENT_CONNECTION_CLOSED',
]);

/** Maps any error to the line printed after "vltava: " and an exit code. */
export function describeError(err: unknown): { message: string; exitCode: number } {
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, '; ').trim();
  if (err instanceof CliError) return { message: oneLine(err.message), exitCode: err.exitCode };
  if (err instanceof KafkaError) return { message: oneLine(err.message), exitCode: ExitCode.FAILURE };
  if (err instanceof ClientError) {
    if (UNREACHABLE_CODES.has(err.code)) return { message: oneLine(err.message), exitCode: ExitCode.UNREACHABLE };
    if (err.code === 'ERR_CLIENT_INVALID_ARGUMENT') return { message: oneLine(err.message), exitCode: ExitCode.USAGE };
    return { message: oneLine(err.message), exitCode: ExitCode.FAILURE };
  }
  if (err instanceof ConfigError || err instanceof ConfigErrors)
    return { message: oneLine(err.message), exitCode: ExitCode.USAGE };
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code === 'ENOENT' || e?.code === 'EACCES' || e?.code === 'EISDIR')
    return { message: oneLine(e.message), exitCode: ExitCode.USAGE };
  return { message: oneLine(e?.message ?? String(err)), exitCode: ExitCode.FAILURE };
}
