/**
 * Topic-level `compression.type` (Kafka's LogValidator): with `producer` (the default) batches are
 * stored exactly as sent; with a codec (`uncompressed`, `gzip`, `snappy`, `lz4`, `zstd`) every batch
 * in another codec is decoded and re-encoded with the topic's codec before it is appended. Only then
 * are records touched on the produce path, as in Kafka. Re-encoding keeps everything the producer
 * set: producer id/epoch/base sequence (so idempotence still works), attributes other than the
 * codec, base/max timestamps, offset and timestamp deltas, keys, values and headers.
 */
import type { TopicConfig } from '../../common/config/topic-config.js';
import { COMPRESSION_CODEC_MASK, CompressionType } from '../../protocol/records/batch-header.js';
import { decodeRecords } from '../../protocol/records/decode.js';
import { encodeRecordBatch } from '../../protocol/records/encode.js';
import type { RecordBatchSummary } from '../../protocol/records/validate.js';

const CODECS: Record<string, CompressionType> = {
  uncompressed: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/** The codec a topic forces, or undefined for `producer` (keep the producer's). */
export function topicCodec(config: TopicConfig): CompressionType | undefined {
  return CODECS[config.compressionType];
}

function levelFor(config: TopicConfig, codec: CompressionType): number | undefined {
  if (codec === CompressionType.Gzip) {
    const level = config.number('compression.gzip.level');
    return level === -1 ? undefined : level;
  }
  if (codec === CompressionType.Zstd) return config.number('compression.zstd.level');
  return undefined;
}

/**
 * Returns `records` unchanged when every batch already uses the topic's codec (or the topic keeps
 * the producer's), else a new buffer with the other batches re-encoded. `batches` are the
 * validated summaries of `records`.
 */
export function applyTopicCompression(records: Buffer, batches: readonly RecordBatchSummary[], config: TopicConfig): Buffer {
  const target = topicCodec(config);
  if (target === undefined || batches.every((b) => b.compression === target)) return records;
  const level = levelFor(config, target);
  const out = batches.map((b) =>
    b.compression === target ? records.subarray(b.position, b.position + b.sizeInBytes) : recompressBatch(records, b, target, level),
  );
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

function recompressBatch(buf: Buffer, s: RecordBatchSummary, codec: CompressionType, level: number | undefined): Buffer {
  // Already CRC-checked by validation; decoding inflates and parses the records.
  const records = decodeRecords(buf, s.position, { verifyCrc: false });
  return encodeRecordBatch({
    baseOffset: s.baseOffset,
    partitionLeaderEpoch: s.partitionLeaderEpoch,
    compression: codec,
    compressionLevel: level,
    attributes: s.attributes & ~COMPRESSION_CODEC_MASK,
    producerId: s.producerId,
    producerEpoch: s.producerEpoch,
    baseSequence: s.baseSequence,
    baseTimestamp: s.baseTimestamp,
    maxTimestamp: s.maxTimestamp,
    lastOffsetDelta: s.lastOffsetDelta,
    records: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestampDelta: r.timestampDelta, offsetDelta: r.offsetDelta })),
  });
}
