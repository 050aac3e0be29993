/**
 * Local (non-wire) errors. Every error Vltava raises on purpose is a `VltavaError` with a stable
 * string `code` that callers and tests match on; messages are for humans and may change.
 * Kafka wire error codes live in `protocol/errors.ts`; handlers map local errors to them in one place.
 */
export class VltavaError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'VltavaError';
  }
}

/** A configuration key is unknown or a value is invalid; `key` names it. */
export class ConfigError extends VltavaError {
  constructor(
    code: 'ERR_CONFIG_UNKNOWN_KEY' | 'ERR_CONFIG_INVALID_VALUE' | 'ERR_CONFIG_SYNTAX' | 'ERR_CONFIG_FILE',
    message: string,
    readonly key?: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'ConfigError';
  }
}

/** Several config problems at once, so a user fixes a file in one pass instead of one per start. */
export class ConfigErrors extends VltavaError {
  constructor(readonly errors: ConfigError[]) {
    super(
      'ERR_CONFIG_INVALID',
      errors.length === 1 ? errors[0]!.message : `${errors.length} configuration errors:\n  ${errors.map((e) => e.message).join('\n  ')}`,
    );
    this.name = 'ConfigErrors';
  }
}

/** The network layer closed a connection on purpose (oversized frame, malformed header, idle...). */
export class ConnectionError extends VltavaError {
  constructor(
    code: 'ERR_FRAME_TOO_LARGE' | 'ERR_FRAME_INVALID' | 'ERR_CONNECTION_IDLE' | 'ERR_CONNECTION_CLOSED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'ConnectionError';
  }
}

/** Something already closed (broker, server, store) was used. */
export class ClosedError extends VltavaError {
  constructor(what: string) {
    super('ERR_CLOSED', `${what} is closed`);
    this.name = 'ClosedError';
  }
}

export function errorCode(err: unknown): string | undefined {
  return err instanceof VltavaError ? err.code : (err as { code?: string } | null)?.code;
}
