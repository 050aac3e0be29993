import { createRequire } from 'node:module';
import type * as Crc32 from '@node-rs/crc32';

// Loaded on first use (as the compression codecs are): importing the native package from ESM costs
// 15–40 ms of the broker's startup (issue 8), and a broker checks no CRC before its first Produce
// or log recovery. A plain require also skips the ESM loader's scan of the package's CommonJS.
const require = createRequire(import.meta.url);
let nativeCrc32c: typeof Crc32.crc32c | undefined;

/**
 * CRC32C (Castagnoli) as RecordBatch v2 uses it, through @node-rs/crc32 (SIMD, native).
 * `initial` lets callers continue a checksum across several buffers.
 */
export function crc32c(data: Buffer, initial?: number): number {
  nativeCrc32c ??= (require('@node-rs/crc32') as typeof Crc32).crc32c;
  return nativeCrc32c(data, initial) >>> 0;
}
