/**
 * snappy (compression id 2) in both forms Kafka clients send:
 *   - xerial framing (Java's SnappyOutputStream, librdkafka): 16-byte header
 *     `0x82 'SNAPPY' 0x00` + int32 version (1) + int32 min-compatible version (1), then
 *     repeated [int32 big-endian compressed length, raw snappy block]. Detected by the magic.
 *   - one raw snappy block (kafkajs-snappy and other JS clients).
 * We compress to the xerial form with 32 KiB blocks, as Kafka's Java producer does, since every
 * consumer (Java, librdkafka, kafkajs-snappy) reads it.
 *
 * Size guard: each raw block begins with its uncompressed length as a varint; it is read and
 * checked against the cap before the native decoder (which trusts it and allocates it) runs.
 */
import { createRequire } from 'node:module';
import type * as Snappy from 'snappy';
import { decompressFailed, decompressedTooLarge } from './errors.js';

// Loaded on first use, as zstd.ts and lz4.ts do (the native dlopen is startup time otherwise).
const require = createRequire(import.meta.url);
let snappy: typeof Snappy | undefined;
const snappyNative = (): typeof Snappy => (snappy ??= require('snappy') as typeof Snappy);

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_BLOCK_SIZE = 32 * 1024;

const XERIAL_HEADER = (() => {
  const h = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(h, 0);
  h.writeInt32BE(1, 8);
  h.writeInt32BE(1, 12);
  return h;
})();

export function isXerialSnappy(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_SIZE && data.compare(XERIAL_MAGIC, 0, 8, 0, 8) === 0;
}

export function snappyCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [XERIAL_HEADER];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_SIZE) {
    const block = snappyNative().compressSync(data.subarray(at, Math.min(at + XERIAL_BLOCK_SIZE, data.length)));
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

/** Snappy's preamble: the uncompressed length as an unsigned varint of at most 5 bytes. */
function rawUncompressedLength(block: Buffer): number {
  let result = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const b = block[i]!;
    result += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return result;
  }
  throw decompressFailed('snappy', undefined, 'bad block length preamble');
}

function rawDecompress(block: Buffer, maxBytes: number): Buffer {
  if (rawUncompressedLength(block) > maxBytes) throw decompressedTooLarge('snappy', maxBytes);
  try {
    return snappyNative().uncompressSync(block, { asBuffer: true }) as Buffer;
  } catch (e) {
    throw decompressFailed('snappy', e);
  }
}

export function snappyDecompress(data: Buffer, maxBytes: number): Buffer {
  if (!isXerialSnappy(data)) return rawDecompress(data, maxBytes);
  const parts: Buffer[] = [];
  let total = 0;
  let at = XERIAL_HEADER_SIZE;
  while (at < data.length) {
    if (at + 4 > data.length) throw decompressFailed('snappy', undefined, 'truncated xerial block length');
    const len = data.readInt32BE(at);
    at += 4;
    if (len < 0 || at + len > data.length)
      throw decompressFailed('snappy', undefined, `xerial block length ${len} overruns input`);
    const part = rawDecompress(data.subarray(at, at + len), maxBytes - total);
    total += part.length;
    parts.push(part);
    at += len;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}
