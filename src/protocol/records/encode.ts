/**
 * RecordBatch v2 encoder: records in, one complete batch out (header, compressed records, CRC32C).
 *
 * Defaults follow Kafka's MemoryRecordsBuilder: offsetDelta = the record's index; baseTimestamp =
 * the first record's timestamp; maxTimestamp = the largest record timestamp (or -1 for an empty
 * batch); lastOffsetDelta = the largest offsetDelta. Fields a producer does not own
 * (partitionLeaderEpoch, baseOffset) default to -1 and 0, the values a producer sends. Callers
 * that need a specific header (compaction keeping lastOffsetDelta of an emptied batch, a
 * LogAppendTime batch whose maxTimestamp is the broker's clock) pass it explicitly.
 */
import { Writer } from '../primitives/writer.js';
import {
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  CURRENT_MAGIC,
  type CompressionType,
  LOG_OVERHEAD,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  RECORDS_OFFSET,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  TimestampType,
} from './batch-header.js';
import { compress } from './compression/index.js';
import { crc32c } from './crc32c.js';
import { type RecordInput, writeRecord } from './record.js';

export interface RecordBatchInput {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  /** gzip/zstd level; codec default when absent. */
  compressionLevel?: number;
  /**
   * Raw attribute bits OR-ed into the ones derived from the flags below, for bits without a flag
   * (e.g. hasDeleteHorizonMs). The compression bits come from `compression` when that is given.
   */
  attributes?: number;
  timestampType?: TimestampType;
  isTransactional?: boolean;
  isControl?: boolean;
  producerId?: bigint | number;
  producerEpoch?: number;
  baseSequence?: number;
  baseTimestamp?: number;
  maxTimestamp?: number;
  lastOffsetDelta?: number;
  records: readonly RecordInput[];
}

const NO_TIMESTAMP = -1;

export function encodeRecordBatch(input: RecordBatchInput): Buffer {
  const records = input.records;
  const compression = input.compression ?? (input.attributes ?? 0) & COMPRESSION_CODEC_MASK;
  let attributes =
    ((input.attributes ?? 0) & ~COMPRESSION_CODEC_MASK & 0xffff) | (compression & COMPRESSION_CODEC_MASK);
  if (input.timestampType === TimestampType.LogAppendTime) attributes |= TIMESTAMP_TYPE_MASK;
  if (input.isTransactional) attributes |= TRANSACTIONAL_FLAG_MASK;
  if (input.isControl) attributes |= CONTROL_FLAG_MASK;

  const first = records[0];
  const baseTimestamp = input.baseTimestamp ?? first?.timestamp ?? (first ? Date.now() : NO_TIMESTAMP);

  // Records go first into their own writer: compressed batches need them as one buffer anyway,
  // and the uncompressed path copies them once into the batch.
  const rw = new Writer(Math.max(64, records.length * 32));
  let maxTimestamp = NO_TIMESTAMP;
  let lastOffsetDelta = -1;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const timestampDelta = r.timestamp !== undefined ? r.timestamp - baseTimestamp : (r.timestampDelta ?? 0);
    const offsetDelta = r.offsetDelta ?? i;
    const ts = baseTimestamp + timestampDelta;
    if (ts > maxTimestamp) maxTimestamp = ts;
    if (offsetDelta > lastOffsetDelta) lastOffsetDelta = offsetDelta;
    writeRecord(rw, r, timestampDelta, offsetDelta);
  }
  const body = compress(compression as CompressionType, rw.finish(), input.compressionLevel);

  const w = new Writer(RECORDS_OFFSET + body.length);
  w.int64n(input.baseOffset ?? 0);
  w.int32(0); // batchLength, patched below
  w.int32(input.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH);
  w.int8(CURRENT_MAGIC);
  w.uint32(0); // crc, patched below
  w.int16((attributes << 16) >> 16);
  w.int32(input.lastOffsetDelta ?? lastOffsetDelta);
  w.int64n(baseTimestamp);
  w.int64n(input.maxTimestamp ?? maxTimestamp);
  w.int64(BigInt(input.producerId ?? NO_PRODUCER_ID));
  w.int16(input.producerEpoch ?? NO_PRODUCER_EPOCH);
  w.int32(input.baseSequence ?? NO_SEQUENCE);
  w.int32(records.length);
  w.raw(body);
  const batch = w.finish();
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
  return batch;
}
