/**
 * The one error type every decoder in `protocol/` throws for malformed input. Anything else
 * escaping a decoder is a bug (the fuzz tests assert this).
 */
export class DecodeError extends Error {
  readonly code = 'ERR_KAFKA_DECODE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DecodeError';
  }
}
