/**
 * Compression codecs of RecordBatch v2, keyed by the attribute's compression id (0..4).
 *
 * Owns: choosing the codec, the decompressed-size cap, and the guarantee that a codec failure
 * surfaces as a typed `RecordBatchError` (never a zlib/native error). Synchronous: batches are at
 * most a few MiB and the broker's produce path never decompresses (validation is CRC-only).
 */
import { CompressionType } from '../batch-header.js';
import { UnsupportedCompressionError } from '../errors.js';
import { gzipCompress, gzipDecompress } from './gzip.js';
import { lz4Compress, lz4Decompress } from './lz4.js';
import { snappyCompress, snappyDecompress } from './snappy.js';
import { zstdCompress, zstdDecompress } from './zstd.js';

export { isXerialSnappy } from './snappy.js';

/**
 * Default cap on the bytes one batch may inflate to. Kafka's default max.message.bytes is ~1 MiB
 * of compressed data; 64 MiB leaves room for highly compressible payloads while keeping one
 * hostile batch from claiming unbounded memory.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export const COMPRESSION_NAMES: readonly string[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export function compressionName(type: number): string {
  return COMPRESSION_NAMES[type] ?? `unknown(${type})`;
}

/** Compresses a records section. `level` applies to gzip and zstd only. */
export function compress(type: CompressionType, data: Buffer, level?: number): Buffer {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return gzipCompress(data, level);
    case CompressionType.Snappy:
      return snappyCompress(data);
    case CompressionType.Lz4:
      return lz4Compress(data);
    case CompressionType.Zstd:
      return zstdCompress(data, level);
    default:
      throw new UnsupportedCompressionError(type);
  }
}

/** Inflates a records section; throws CorruptRecordError past `maxBytes` or on malformed input. */
export function decompress(type: number, data: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return gzipDecompress(data, maxBytes);
    case CompressionType.Snappy:
      return snappyDecompress(data, maxBytes);
    case CompressionType.Lz4:
      return lz4Decompress(data, maxBytes);
    case CompressionType.Zstd:
      return zstdDecompress(data, maxBytes);
    default:
      throw new UnsupportedCompressionError(type);
  }
}
