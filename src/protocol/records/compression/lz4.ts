/**
 * lz4 (compression id 3) in the LZ4 frame format (magic 0x184D2204), which is what Kafka's
 * KafkaLZ4BlockOutputStream, librdkafka and kafkajs-lz4 write for magic v2 batches. (Kafka's
 * header-checksum bug only ever affected magic v0/v1 message sets, so v2 frames are standard.)
 *
 * Decompression first walks the frame descriptor and block headers without inflating anything.
 * That bounds the output: a compressed block inflates to at most min(block maximum, 255 × its
 * size) (LZ4's densest encoding), a stored block to its own length. When the bound is within the
 * cap, the native frame decoder runs (checking header, block and content checksums). Only when
 * the bound exceeds the cap (lz4-napi, for one, declares 4 MiB blocks) are blocks inflated one by
 * one, each into at most what the cap still allows, so the cap is exact and memory stays bounded.
 * Any frame options are accepted: content size, checksums, linked or independent blocks. Bytes
 * after the first frame's end are ignored, as Java's reader does.
 *
 * We compress with lz4-napi's defaults: independent blocks, no checksums, no content size,
 * which is the option set Java's KafkaLZ4BlockInputStream requires (it rejects linked blocks).
 */
import { createRequire } from 'node:module';
import type * as Lz4 from 'lz4-napi';
import { decompressFailed, decompressedTooLarge } from './errors.js';

// Loaded on first use (as zstd.ts does): the native binding's dlopen was a sixth of the broker's
// startup, and a broker that never sees lz4 batches never needs it.
const require = createRequire(import.meta.url);
let lz4: typeof Lz4 | undefined;
const lz4Native = (): typeof Lz4 => (lz4 ??= require('lz4-napi') as typeof Lz4);

const LZ4_FRAME_MAGIC = 0x184d2204;
const LZ4_SKIPPABLE_MASK = 0xfffffff0;
const LZ4_SKIPPABLE_MAGIC = 0x184d2a50;

const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION = 0x40;
const FLG_BLOCK_INDEPENDENT = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const BLOCK_UNCOMPRESSED = 0x80000000;

export function lz4Compress(data: Buffer): Buffer {
  return lz4Native().compressFrameSync(data);
}

interface FrameScan {
  /** End of the frame in the input. */
  end: number;
  /** Upper bound on the decompressed size. */
  bound: number;
  linked: boolean;
  blockMax: number;
  /** Per block: data position, size, stored (uncompressed) or not. */
  blocks: { at: number; size: number; stored: boolean }[];
}

const fail = (detail: string) => decompressFailed('lz4', undefined, detail);
const MAX_LZ4_RATIO = 255;
const LINKED_WINDOW = 64 * 1024;

/** Walks one LZ4 frame's headers; throws on malformed framing, never inflates. */
function scanLz4Frame(data: Buffer, maxBytes: number): FrameScan {
  if (data.length < 7) throw fail('frame shorter than its header');
  const magic = data.readUInt32LE(0);
  if (magic !== LZ4_FRAME_MAGIC) {
    const skippable = (magic & LZ4_SKIPPABLE_MASK) >>> 0 === LZ4_SKIPPABLE_MAGIC;
    throw fail(skippable ? 'skippable frame where records were expected' : `bad frame magic 0x${magic.toString(16)}`);
  }
  const flg = data[4]!;
  const bd = data[5]!;
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION) throw fail(`unsupported frame version in FLG 0x${flg.toString(16)}`);
  const blockSizeId = (bd >> 4) & 0x07;
  if (blockSizeId < 4) throw fail(`invalid block size id ${blockSizeId}`);
  const blockMax = 1 << (2 * blockSizeId + 8); // 4 → 64 KiB … 7 → 4 MiB
  let at = 6;
  if (flg & FLG_CONTENT_SIZE) {
    if (at + 8 > data.length) throw fail('truncated content size');
    const contentSize = data.readUInt32LE(at) + data.readUInt32LE(at + 4) * 4294967296;
    if (contentSize > maxBytes) throw decompressedTooLarge('lz4', maxBytes);
    at += 8;
  }
  if (flg & FLG_DICT_ID) at += 4;
  at += 1; // header checksum, verified by the native decoder
  const blockChecksum = flg & FLG_BLOCK_CHECKSUM ? 4 : 0;
  const blocks: FrameScan['blocks'] = [];
  let bound = 0;
  for (;;) {
    if (at + 4 > data.length) throw fail('truncated block header');
    const word = data.readUInt32LE(at);
    at += 4;
    if (word === 0) break; // EndMark
    const size = word & 0x7fffffff;
    const stored = (word & BLOCK_UNCOMPRESSED) !== 0;
    if (size > blockMax) throw fail(`block of ${size} bytes exceeds the frame's ${blockMax}-byte maximum`);
    if (at + size + blockChecksum > data.length) throw fail('truncated block');
    blocks.push({ at, size, stored });
    bound += stored ? size : Math.min(blockMax, size * MAX_LZ4_RATIO);
    at += size + blockChecksum;
  }
  if (flg & FLG_CONTENT_CHECKSUM) at += 4;
  if (at > data.length) throw fail('truncated content checksum');
  return { end: at, bound, linked: (flg & FLG_BLOCK_INDEPENDENT) === 0, blockMax, blocks };
}

/** Inflates block by block, each into no more than the cap still allows. */
function decompressBlocks(data: Buffer, scan: FrameScan, maxBytes: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  let window: Buffer | undefined;
  for (const b of scan.blocks) {
    const block = data.subarray(b.at, b.at + b.size);
    let out: Buffer;
    if (b.stored) {
      out = block;
    } else {
      const room = Math.min(scan.blockMax, maxBytes - total);
      const input = Buffer.allocUnsafe(4 + b.size);
      input.writeUInt32LE(room, 0);
      block.copy(input, 4);
      try {
        out = lz4Native().uncompressSync(input, scan.linked ? window : undefined);
      } catch (e) {
        if (room < scan.blockMax && /too small/.test(String((e as Error).message)))
          throw decompressedTooLarge('lz4', maxBytes);
        throw decompressFailed('lz4', e);
      }
    }
    total += out.length;
    if (total > maxBytes) throw decompressedTooLarge('lz4', maxBytes);
    parts.push(out);
    // linked blocks may refer back up to 64 KiB into what came before
    if (scan.linked) window = Buffer.concat(window ? [window, out] : [out]).subarray(-LINKED_WINDOW);
  }
  return Buffer.concat(parts, total);
}

export function lz4Decompress(data: Buffer, maxBytes: number): Buffer {
  const scan = scanLz4Frame(data, maxBytes);
  if (scan.bound > maxBytes) return decompressBlocks(data, scan, maxBytes);
  let out: Buffer;
  try {
    out = lz4Native().decompressFrameSync(scan.end === data.length ? data : data.subarray(0, scan.end));
  } catch (e) {
    throw decompressFailed('lz4', e);
  }
  if (out.length > maxBytes) throw decompressedTooLarge('lz4', maxBytes);
  return out;
}
