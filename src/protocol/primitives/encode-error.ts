/**
 * Thrown by generated encoders when a message cannot be written in the requested version: a
 * non-ignorable field holds a non-default value the version lacks (Kafka's
 * UnsupportedVersionException), a null where the version is not nullable, or an unknown version.
 */
export class EncodeError extends Error {
  readonly code = 'ERR_KAFKA_ENCODE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EncodeError';
  }
}
