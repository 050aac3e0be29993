import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/**
 * CRC32C (Castagnoli) as RecordBatch v2 uses it, through @node-rs/crc32 (SIMD, native).
 * `initial` lets callers continue a checksum across several buffers.
 */
export function crc32c(data: Buffer, initial?: number): number {
  return nativeCrc32c(data, initial) >>> 0;
}
