/**
 * RecordBatch v2 decoding: a validated batch's records, inflated when compressed.
 *
 * Records come out with key, value and header values as views (`subarray`) of the input for an
 * uncompressed batch, or of the single decompressed buffer otherwise: nothing is copied per
 * record. A batch's records must be exactly `recordCount` records filling the section (Kafka's
 * "records still remaining" rule); arrays grow as records are read, never pre-sized from a count.
 */
import { Reader } from '../primitives/reader.js';
import { RECORD_BATCH_OVERHEAD, TimestampType } from './batch-header.js';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decompress } from './compression/index.js';
import { InvalidRecordError } from './errors.js';
import { type Record, readRecord } from './record.js';
import { type RecordBatchSummary, type ValidateOptions, validateRecordBatch } from './validate.js';

export interface DecodeOptions extends ValidateOptions {
  /** Cap on one batch's decompressed records section; see DEFAULT_MAX_DECOMPRESSED_BYTES. */
  maxDecompressedBytes?: number;
}

export interface DecodedRecordBatch extends RecordBatchSummary {
  records: Record[];
}

/** The records section of a validated batch, inflated if needed. */
function recordsSection(buf: Buffer, s: RecordBatchSummary, options?: DecodeOptions): Buffer {
  const section = buf.subarray(s.position + RECORD_BATCH_OVERHEAD, s.position + s.sizeInBytes);
  return decompress(s.compression, section, options?.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
}

function* recordsOf(buf: Buffer, s: RecordBatchSummary, options?: DecodeOptions): Generator<Record, void, undefined> {
  const data = recordsSection(buf, s, options);
  const r = new Reader(data);
  const logAppendTime = s.timestampType === TimestampType.LogAppendTime ? s.maxTimestamp : null;
  for (let i = 0; i < s.recordCount; i++) {
    if (r.remaining === 0) {
      throw new InvalidRecordError(
        'invalid-record',
        `batch at ${s.position}: ${i} of ${s.recordCount} declared records present`,
      );
    }
    yield readRecord(r, s.baseOffset, s.baseTimestamp, logAppendTime);
  }
  if (r.remaining !== 0) {
    throw new InvalidRecordError(
      'invalid-record',
      `batch at ${s.position}: ${r.remaining} bytes remain after ${s.recordCount} records`,
    );
  }
}

/**
 * Yields the records of the batch at `position` (validated first: framing, magic, CRC). Lazy:
 * nothing is read or inflated until the first `next()`.
 */
export function* iterateRecords(
  buf: Buffer,
  position = 0,
  options?: DecodeOptions,
): Generator<Record, void, undefined> {
  yield* recordsOf(buf, validateRecordBatch(buf, position, options), options);
}

/** All records of the batch at `position`. */
export function decodeRecords(buf: Buffer, position = 0, options?: DecodeOptions): Record[] {
  return Array.from(iterateRecords(buf, position, options));
}

/** The batch at `position`: its header summary and records. */
export function decodeRecordBatch(buf: Buffer, position = 0, options?: DecodeOptions): DecodedRecordBatch {
  const s = validateRecordBatch(buf, position, options);
  return { ...s, records: Array.from(recordsOf(buf, s, options)) };
}

/** Every batch in a buffer of batches laid back to back (which must end on a batch boundary). */
export function decodeRecordBatches(buf: Buffer, options?: DecodeOptions): DecodedRecordBatch[] {
  const out: DecodedRecordBatch[] = [];
  for (let position = 0; position < buf.length; ) {
    const b = decodeRecordBatch(buf, position, options);
    out.push(b);
    position += b.sizeInBytes;
  }
  return out;
}
