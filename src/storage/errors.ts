/**
 * Errors the storage layer throws on purpose. Each has a stable string `code`; the broker maps
 * them to Kafka wire error codes in one place (OFFSET_OUT_OF_RANGE, CORRUPT_MESSAGE,
 * KAFKA_STORAGE_ERROR, ...). Messages are for humans and may change.
 */
import { VltavaError } from '../common/errors.js';

export type StorageErrorCode =
  | 'ERR_OFFSET_OUT_OF_RANGE'
  | 'ERR_CORRUPT_RECORD'
  | 'ERR_CORRUPT_INDEX'
  | 'ERR_RECORD_TOO_LARGE'
  | 'ERR_INVALID_OFFSET'
  | 'ERR_LOG_CLOSED'
  | 'ERR_STORAGE_IO'
  | 'ERR_INVALID_CHECKPOINT'
  | 'ERR_INCONSISTENT_LOG_DIR'
  | 'ERR_OUT_OF_ORDER_SEQUENCE'
  | 'ERR_INVALID_PRODUCER_EPOCH';

export class StorageError extends VltavaError {
  declare readonly code: StorageErrorCode;
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StorageError';
  }
}

/** A read asked for an offset outside [logStartOffset, logEndOffset]. Maps to OFFSET_OUT_OF_RANGE (1). */
export class OffsetOutOfRangeError extends StorageError {
  constructor(
    message: string,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {
    super('ERR_OFFSET_OUT_OF_RANGE', message);
    this.name = 'OffsetOutOfRangeError';
  }
}

/** Bytes that are not a valid RecordBatch v2 (framing or CRC). Maps to CORRUPT_MESSAGE (2). */
export class CorruptRecordError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CORRUPT_RECORD', message, options);
    this.name = 'CorruptRecordError';
  }
}

/** An index file disagrees with its segment; the caller rebuilds the index from the .log. */
export class CorruptIndexError extends StorageError {
  constructor(message: string) {
    super('ERR_CORRUPT_INDEX', message);
    this.name = 'CorruptIndexError';
  }
}

/** A batch larger than segment.bytes can never be stored. Maps to RECORD_TOO_LARGE (18) / MESSAGE_TOO_LARGE (10). */
export class RecordTooLargeError extends StorageError {
  constructor(message: string) {
    super('ERR_RECORD_TOO_LARGE', message);
    this.name = 'RecordTooLargeError';
  }
}

/** A follower append whose offsets do not follow the log end, or offsets that overflow a segment. */
export class InvalidOffsetError extends StorageError {
  constructor(message: string) {
    super('ERR_INVALID_OFFSET', message);
    this.name = 'InvalidOffsetError';
  }
}

/** The log (or log manager) was closed or deleted while an operation was queued. Maps to NOT_LEADER_OR_FOLLOWER / KAFKA_STORAGE_ERROR. */
export class LogClosedError extends StorageError {
  constructor(what: string) {
    super('ERR_LOG_CLOSED', `${what} is closed`);
    this.name = 'LogClosedError';
  }
}

/** A checkpoint file is malformed. */
export class InvalidCheckpointError extends StorageError {
  constructor(path: string, detail: string) {
    super('ERR_INVALID_CHECKPOINT', `malformed checkpoint ${path}: ${detail}`);
    this.name = 'InvalidCheckpointError';
  }
}

/** An idempotent producer's batch does not follow its last sequence. Maps to OUT_OF_ORDER_SEQUENCE_NUMBER (45). */
export class OutOfOrderSequenceError extends StorageError {
  constructor(message: string) {
    super('ERR_OUT_OF_ORDER_SEQUENCE', message);
    this.name = 'OutOfOrderSequenceError';
  }
}

/** A producer epoch older than the last one seen for that producer id. Maps to INVALID_PRODUCER_EPOCH (47). */
export class InvalidProducerEpochError extends StorageError {
  constructor(message: string) {
    super('ERR_INVALID_PRODUCER_EPOCH', message);
    this.name = 'InvalidProducerEpochError';
  }
}
