/**
 * zstd (compression id 4) through zstd-napi's native binding.
 *
 * Java's producer (zstd-jni streaming) writes frames without a content size, so decompression is
 * always streaming: output grows chunk by chunk and stops at the cap, instead of trusting a size
 * from the header (zstd-napi's one-shot `decompress` allocates whatever the header claims and its
 * streaming fallback spins forever on a truncated frame, so neither is used). Every step must
 * consume input or produce output, else the frame is truncated or corrupt — so no input hangs.
 *
 * windowLogMax bounds the decoder's own window buffer: at least 2^23 (what levels ≤ 19 use, i.e.
 * every producer default), at most zstd's default 2^27, otherwise the next power of two ≥ the cap.
 */
import { createRequire } from 'node:module';
import type * as Zstd from 'zstd-napi';
import type * as ZstdBinding from 'zstd-napi/binding.js';
import { decompressFailed, decompressedTooLarge } from './errors.js';

// Loaded on first use, so a missing native build breaks only zstd batches, not the codec.
const require = createRequire(import.meta.url);
let zstd: typeof Zstd | undefined;
let binding: typeof ZstdBinding | undefined;
let dctx: ZstdBinding.DCtx | undefined;

const MIN_CHUNK = 128 * 1024;

export function zstdCompress(data: Buffer, level?: number): Buffer {
  zstd ??= require('zstd-napi') as typeof Zstd;
  return zstd.compress(data, level === undefined ? {} : { compressionLevel: level });
}

function windowLogFor(maxBytes: number): number {
  const log = Math.ceil(Math.log2(Math.max(maxBytes, 1)));
  return Math.min(27, Math.max(23, log));
}

export function zstdDecompress(data: Buffer, maxBytes: number): Buffer {
  if (data.length === 0) throw decompressFailed('zstd', undefined, 'empty input');
  try {
    binding ??= require('zstd-napi/binding.js') as typeof ZstdBinding;
    dctx ??= new binding.DCtx();
    dctx.reset(binding.ResetDirective.sessionAndParameters);
    dctx.setParameter(binding.DParameter.windowLogMax, windowLogFor(maxBytes));
  } catch (e) {
    throw decompressFailed('zstd', e);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  let input = data;
  let chunkSize = Math.min(maxBytes + 1, Math.max(MIN_CHUNK, data.length * 4));
  for (;;) {
    const out = Buffer.allocUnsafe(chunkSize);
    let ret: number;
    let produced: number;
    let consumed: number;
    try {
      [ret, produced, consumed] = dctx.decompressStream(out, input);
    } catch (e) {
      throw decompressFailed('zstd', e);
    }
    total += produced;
    if (total > maxBytes) throw decompressedTooLarge('zstd', maxBytes);
    if (produced > 0) chunks.push(out.subarray(0, produced));
    input = input.subarray(consumed);
    // ret === 0: a frame ended; more input means another frame follows (Kafka allows several)
    if (ret === 0 && input.length === 0) break;
    if (produced === 0 && consumed === 0) throw decompressFailed('zstd', undefined, 'truncated frame');
    if (produced === out.length) chunkSize = Math.min(maxBytes - total + 1, chunkSize * 2);
    chunkSize = Math.max(1, Math.min(chunkSize, maxBytes - total + 1));
  }
  if (chunks.length === 1) return chunks[0]!;
  return Buffer.concat(chunks, total);
}
