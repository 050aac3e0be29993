/**
 * RecordBatch v2 validation without decoding records: the broker's per-batch hot path.
 *
 * Checks, in order, for each batch (the order decides which error wins, and matches Kafka's):
 *   1. framing: 12 bytes of baseOffset+batchLength present; batchLength at least the v0 message
 *      overhead (14), and the whole batch inside the buffer → else CORRUPT_MESSAGE;
 *   2. magic: 2 → go on; 0 or 1 → INVALID_RECORD (Produce v3+ allows only v2, as Kafka's
 *      ProduceRequest.validateRecords says); anything else → CORRUPT_MESSAGE;
 *   3. batchLength ≥ 49 (the v2 header) → else CORRUPT_MESSAGE;
 *   4. CRC32C over attributes..end → else CORRUPT_MESSAGE;
 *   5. header sanity: compression id 0..4; recordCount ≥ 0 and ≤ lastOffsetDelta + 1 (compaction
 *      may drop records but keeps the deltas); an uncompressed batch holds at least 7 bytes per
 *      record, so a count claiming 2^31 is refused here;
 *   6. with `clientOrigin` (a Produce from a client), Kafka's LogValidator rules: count > 0 and
 *      == lastOffsetDelta + 1, no control batches, baseSequence ≥ 0 when a producerId is set.
 * Cost: one CRC pass plus a fixed number of header reads per batch; records are never touched.
 */
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_OVERHEAD,
  RECORD_COUNT_OFFSET,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  type TimestampType,
} from './batch-header.js';
import { crc32c } from './crc32c.js';
import { CorruptRecordError, InvalidRecordError, UnsupportedCompressionError } from './errors.js';
import { MIN_RECORD_SIZE } from './record.js';

/** What validation learned about one batch: enough for the broker to append it without decoding. */
export interface RecordBatchSummary {
  /** Byte position of the batch in the validated buffer. */
  position: number;
  /** Whole batch, baseOffset through the last record byte. */
  sizeInBytes: number;
  baseOffset: number;
  partitionLeaderEpoch: number;
  attributes: number;
  compression: number;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  crc: number;
}

export interface ValidateOptions {
  /** Apply the rules Kafka applies to batches from producers (AppendOrigin.CLIENT). */
  clientOrigin?: boolean;
  /** Default true. Only readers of bytes already validated (e.g. just read from a segment) skip it. */
  verifyCrc?: boolean;
}

/** Smallest frame that can carry a magic byte: Kafka's v0 message overhead, its first size check. */
const MIN_FRAME_LENGTH = 14;
const MIN_V2_BATCH_LENGTH = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD;
const MAX_COMPRESSION_ID = 4;

const readInt64n = (b: Buffer, at: number): number => b.readInt32BE(at) * 4294967296 + b.readUInt32BE(at + 4);

/**
 * Validates the batch at `position` and returns its summary. The batch must lie wholly within
 * `buf`; bytes after it are not looked at.
 */
export function validateRecordBatch(buf: Buffer, position = 0, options?: ValidateOptions): RecordBatchSummary {
  const available = buf.length - position;
  if (available < LOG_OVERHEAD) {
    throw new CorruptRecordError(
      'truncated',
      `batch at ${position}: ${available} bytes, fewer than the 12-byte log overhead`,
    );
  }
  const batchLength = buf.readInt32BE(position + BATCH_LENGTH_OFFSET);
  if (batchLength < MIN_FRAME_LENGTH) {
    throw new CorruptRecordError(
      'batch-too-small',
      `batch at ${position}: batchLength ${batchLength} is below the minimum`,
    );
  }
  const size = batchLength + LOG_OVERHEAD;
  if (size > available) {
    throw new CorruptRecordError(
      'truncated',
      `batch at ${position}: batchLength ${batchLength} overruns the ${available} bytes present`,
    );
  }
  const magic = buf.readInt8(position + MAGIC_OFFSET);
  if (magic !== CURRENT_MAGIC) {
    if (magic === 0 || magic === 1) {
      throw new InvalidRecordError(
        'unsupported-magic',
        `batch at ${position}: magic ${magic}; only record batches with magic 2 are accepted`,
      );
    }
    throw new CorruptRecordError('invalid-magic', `batch at ${position}: invalid magic ${magic}`);
  }
  if (batchLength < MIN_V2_BATCH_LENGTH) {
    throw new CorruptRecordError(
      'batch-too-small',
      `batch at ${position}: batchLength ${batchLength} is below the 49-byte v2 header`,
    );
  }
  const end = position + size;
  const crc = buf.readUInt32BE(position + CRC_OFFSET);
  const computed = options?.verifyCrc === false ? crc : crc32c(buf.subarray(position + ATTRIBUTES_OFFSET, end));
  if (crc !== computed) {
    throw new CorruptRecordError(
      'crc-mismatch',
      `batch at ${position}: stored crc 0x${crc.toString(16)} != computed 0x${computed.toString(16)}`,
    );
  }

  const attributes = buf.readInt16BE(position + ATTRIBUTES_OFFSET);
  const compression = attributes & COMPRESSION_CODEC_MASK;
  const lastOffsetDelta = buf.readInt32BE(position + LAST_OFFSET_DELTA_OFFSET);
  const recordCount = buf.readInt32BE(position + RECORD_COUNT_OFFSET);
  if (compression > MAX_COMPRESSION_ID) throw new UnsupportedCompressionError(compression);
  if (recordCount < 0 || recordCount > lastOffsetDelta + 1) {
    throw new InvalidRecordError(
      'invalid-count',
      `batch at ${position}: recordCount ${recordCount} with lastOffsetDelta ${lastOffsetDelta}`,
    );
  }
  if (compression === 0 && recordCount * MIN_RECORD_SIZE > size - RECORD_BATCH_OVERHEAD) {
    throw new InvalidRecordError(
      'invalid-count',
      `batch at ${position}: ${recordCount} records cannot fit in ${size - RECORD_BATCH_OVERHEAD} bytes`,
    );
  }
  const summary: RecordBatchSummary = {
    position,
    sizeInBytes: size,
    baseOffset: readInt64n(buf, position),
    partitionLeaderEpoch: buf.readInt32BE(position + PARTITION_LEADER_EPOCH_OFFSET),
    attributes,
    compression,
    timestampType: (attributes & TIMESTAMP_TYPE_MASK ? 1 : 0) as TimestampType,
    isTransactional: (attributes & TRANSACTIONAL_FLAG_MASK) !== 0,
    isControl: (attributes & CONTROL_FLAG_MASK) !== 0,
    lastOffsetDelta,
    baseTimestamp: readInt64n(buf, position + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: readInt64n(buf, position + MAX_TIMESTAMP_OFFSET),
    producerId: buf.readBigInt64BE(position + PRODUCER_ID_OFFSET),
    producerEpoch: buf.readInt16BE(position + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(position + BASE_SEQUENCE_OFFSET),
    recordCount,
    crc,
  };
  if (options?.clientOrigin) checkClientBatch(summary);
  return summary;
}

/** Kafka's LogValidator.validateBatch rules for AppendOrigin.CLIENT, on an already framed batch. */
export function checkClientBatch(s: RecordBatchSummary): void {
  if (s.recordCount <= 0 || s.recordCount !== s.lastOffsetDelta + 1) {
    throw new InvalidRecordError(
      'invalid-count',
      `batch at ${s.position}: recordCount ${s.recordCount} does not match offset range [0, ${s.lastOffsetDelta}]`,
    );
  }
  if (s.isControl) {
    throw new InvalidRecordError(
      'control-from-client',
      `batch at ${s.position}: clients are not allowed to write control records`,
    );
  }
  if (s.producerId >= 0n && s.baseSequence < 0) {
    throw new InvalidRecordError(
      'invalid-sequence',
      `batch at ${s.position}: invalid sequence number ${s.baseSequence} with producerId ${s.producerId}`,
    );
  }
}

/**
 * Validates a buffer of batches laid back to back (a Produce partition's `records`, a Fetch
 * response's, a segment's bytes). The buffer must end exactly on a batch boundary: a partial
 * trailing batch is CORRUPT_MESSAGE here (log recovery, which tolerates one, loops over
 * `validateRecordBatch` itself).
 */
export function validateRecordBatches(buf: Buffer, options?: ValidateOptions): RecordBatchSummary[] {
  const batches: RecordBatchSummary[] = [];
  let position = 0;
  while (position < buf.length) {
    const s = validateRecordBatch(buf, position, options);
    batches.push(s);
    position += s.sizeInBytes;
  }
  return batches;
}
