/**
 * RecordBatch v2 header layout (magic 2), as stored on disk and sent on the wire.
 *
 *   baseOffset: int64            @0
 *   batchLength: int32           @8   (bytes after this field)
 *   partitionLeaderEpoch: int32  @12
 *   magic: int8                  @16  (= 2)
 *   crc: uint32                  @17  (CRC32C of attributes..end)
 *   attributes: int16            @21  (bits 0-2 compression, 3 timestampType, 4 transactional, 5 control)
 *   lastOffsetDelta: int32       @23
 *   baseTimestamp: int64         @27
 *   maxTimestamp: int64          @35
 *   producerId: int64            @43
 *   producerEpoch: int16         @51
 *   baseSequence: int32          @53
 *   recordCount: int32           @57
 *   records                      @61
 *
 * These helpers read and patch header fields in place without touching the records, which is
 * how produce assigns offsets and the storage layer scans segments.
 */
export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORD_COUNT_OFFSET = 57;
export const RECORDS_OFFSET = 61;
/** Size of the fixed header; also the smallest possible batch. */
export const RECORD_BATCH_OVERHEAD = 61;
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const LOG_OVERHEAD = 12;
/** The CRC covers from attributes to the end of the batch. */
export const CRC_START = ATTRIBUTES_OFFSET;

export const CURRENT_MAGIC = 2;

export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;
export const DELETE_HORIZON_FLAG_MASK = 0x40;

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

export enum TimestampType {
  CreateTime = 0,
  LogAppendTime = 1,
}

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;

const readInt64n = (buf: Buffer, at: number): number => buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
const writeInt64n = (buf: Buffer, at: number, v: number): void => {
  const hi = Math.floor(v / 4294967296);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(v - hi * 4294967296, at + 4);
};

export const batchBaseOffset = (b: Buffer, at = 0): number => readInt64n(b, at + BASE_OFFSET_OFFSET);
export const batchLength = (b: Buffer, at = 0): number => b.readInt32BE(at + BATCH_LENGTH_OFFSET);
/** Total bytes of the batch including baseOffset and batchLength. */
export const batchSizeInBytes = (b: Buffer, at = 0): number => LOG_OVERHEAD + batchLength(b, at);
export const batchMagic = (b: Buffer, at = 0): number => b.readInt8(at + MAGIC_OFFSET);
export const batchCrc = (b: Buffer, at = 0): number => b.readUInt32BE(at + CRC_OFFSET);
export const batchAttributes = (b: Buffer, at = 0): number => b.readInt16BE(at + ATTRIBUTES_OFFSET);
export const batchLastOffsetDelta = (b: Buffer, at = 0): number => b.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET);
export const batchLastOffset = (b: Buffer, at = 0): number => batchBaseOffset(b, at) + batchLastOffsetDelta(b, at);
export const batchBaseTimestamp = (b: Buffer, at = 0): number => readInt64n(b, at + BASE_TIMESTAMP_OFFSET);
export const batchMaxTimestamp = (b: Buffer, at = 0): number => readInt64n(b, at + MAX_TIMESTAMP_OFFSET);
export const batchPartitionLeaderEpoch = (b: Buffer, at = 0): number => b.readInt32BE(at + PARTITION_LEADER_EPOCH_OFFSET);
export const batchProducerId = (b: Buffer, at = 0): bigint => b.readBigInt64BE(at + PRODUCER_ID_OFFSET);
export const batchProducerEpoch = (b: Buffer, at = 0): number => b.readInt16BE(at + PRODUCER_EPOCH_OFFSET);
export const batchBaseSequence = (b: Buffer, at = 0): number => b.readInt32BE(at + BASE_SEQUENCE_OFFSET);
export const batchRecordCount = (b: Buffer, at = 0): number => b.readInt32BE(at + RECORD_COUNT_OFFSET);

/** Patches baseOffset in place. The CRC does not cover it, so no re-checksum is needed. */
export const setBatchBaseOffset = (b: Buffer, v: number, at = 0): void => writeInt64n(b, at + BASE_OFFSET_OFFSET, v);
/** Patches partitionLeaderEpoch in place (not covered by the CRC). */
export const setBatchPartitionLeaderEpoch = (b: Buffer, v: number, at = 0): void =>
  void b.writeInt32BE(v, at + PARTITION_LEADER_EPOCH_OFFSET);
