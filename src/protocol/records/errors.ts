/**
 * Typed errors of the record-batch codec and its compression layer.
 *
 * Every error here extends `DecodeError`, so "a decoder throws only DecodeError" holds for the
 * batch codec too (the fuzz tests assert it). Each carries a stable `reason` string for tests and
 * logs, and the Kafka wire `errorCode` the broker should answer with, following Apache Kafka:
 *   - CRC mismatch, truncated or undersized framing, magic outside 0..2 → CORRUPT_MESSAGE (2)
 *     (Kafka's CorruptRecordException);
 *   - magic 0/1 inside Produce v3+, inconsistent counts/offset deltas, malformed records, control
 *     batches from clients → INVALID_RECORD (87) (Kafka's InvalidRecordException);
 *   - compression id 5..7 → UNSUPPORTED_COMPRESSION_TYPE (76);
 *   - a compressed payload that fails to inflate, or inflates past the configured cap
 *     → CORRUPT_MESSAGE (2): Kafka has no cap and surfaces inflate failures as corruption.
 */
import { DecodeError } from '../primitives/decode-error.js';

export const CORRUPT_MESSAGE = 2;
export const UNSUPPORTED_COMPRESSION_TYPE = 76;
export const INVALID_RECORD = 87;

export type CorruptRecordReason =
  | 'crc-mismatch'
  | 'truncated'
  | 'batch-too-small'
  | 'invalid-magic'
  | 'decompress-failed'
  | 'decompressed-too-large';

export type InvalidRecordReason =
  | 'unsupported-magic'
  | 'invalid-count'
  | 'invalid-record'
  | 'control-from-client'
  | 'invalid-sequence'
  | 'invalid-control-record';

export type RecordErrorReason = CorruptRecordReason | InvalidRecordReason | 'unsupported-compression';

/** Base of the codec's errors; `errorCode` is the Kafka error code to answer with. */
export class RecordBatchError extends DecodeError {
  readonly reason: RecordErrorReason;
  readonly errorCode: number;
  constructor(reason: RecordErrorReason, errorCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecordBatchError';
    this.reason = reason;
    this.errorCode = errorCode;
  }
}

/** The bytes are damaged: Kafka's CorruptRecordException, wire code CORRUPT_MESSAGE. */
export class CorruptRecordError extends RecordBatchError {
  constructor(reason: CorruptRecordReason, message: string, options?: { cause?: unknown }) {
    super(reason, CORRUPT_MESSAGE, message, options);
    this.name = 'CorruptRecordError';
  }
}

/** The bytes are intact but break the format's rules: Kafka's InvalidRecordException. */
export class InvalidRecordError extends RecordBatchError {
  constructor(reason: InvalidRecordReason, message: string, options?: { cause?: unknown }) {
    super(reason, INVALID_RECORD, message, options);
    this.name = 'InvalidRecordError';
  }
}

/** Compression id outside 0..4. */
export class UnsupportedCompressionError extends RecordBatchError {
  constructor(readonly compression: number) {
    super('unsupported-compression', UNSUPPORTED_COMPRESSION_TYPE, `unknown compression type id ${compression}`);
    this.name = 'UnsupportedCompressionError';
  }
}
