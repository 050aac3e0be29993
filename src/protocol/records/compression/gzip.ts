/**
 * gzip (compression id 1) through node:zlib, as Java's GZIPOutputStream and librdkafka write it.
 * Concatenated gzip members are accepted (zlib reads them all, as GZIPInputStream does); a
 * truncated stream is an error, not a short result. The size cap is zlib's own
 * `maxOutputLength`, so inflating stops at the limit instead of after it.
 */
import { kMaxLength } from 'node:buffer';
import { createRequire } from 'node:module';
import type * as Zlib from 'node:zlib';
import { decompressFailed, decompressedTooLarge } from './errors.js';

// node:zlib is loaded on first use, as the native codecs are: a few ms of startup (issue 8).
const require = createRequire(import.meta.url);
let zlib: typeof Zlib | undefined;
const zlibModule = (): typeof Zlib => (zlib ??= require('node:zlib') as typeof Zlib);

export function gzipCompress(data: Buffer, level?: number): Buffer {
  return zlibModule().gzipSync(data, level === undefined ? undefined : { level });
}

export function gzipDecompress(data: Buffer, maxBytes: number): Buffer {
  let out: Buffer;
  try {
    // one byte of headroom tells "exactly maxBytes" apart from "more than maxBytes"
    out = zlibModule().gunzipSync(data, { maxOutputLength: Math.min(maxBytes + 1, kMaxLength) });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw decompressedTooLarge('gzip', maxBytes);
    throw decompressFailed('gzip', e);
  }
  if (out.length > maxBytes) throw decompressedTooLarge('gzip', maxBytes);
  return out;
}
