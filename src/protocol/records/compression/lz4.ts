/**
 * lz4 (compression id 3) in the LZ4 frame format (magic 0x184D2204), which is what Kafka's
 * KafkaLZ4BlockOutputStream, librdkafka and kafkajs-lz4 write for magic v2 batches. (Kafka's
 * header-checksum bug only ever affected magic v0/v1 message sets, so v2 frames are standard.)
 *
 * Decompression first walks the frame descriptor and block headers without inflating anything:
 * that bounds the output (each compressed block inflates to at most the declared block maximum,
 * a stored block to its own length), so a frame that could exceed the cap is refused before the
 * native decoder allocates. Encoders fill every block but the last, so the bound overshoots the
 * real size by less than one block (at most 4 MiB, 64 KiB for Java's and librdkafka's frames). Any frame options are accepted: content size, block and content
 * checksums, linked or independent blocks. Bytes after the first frame's end are ignored, as
 * Java's reader does.
 *
 * We compress with lz4-napi's defaults: independent blocks, no checksums, no content size,
 * which is the option set Java's KafkaLZ4BlockInputStream requires (it rejects linked blocks).
 */
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { decompressFailed, decompressedTooLarge } from './errors.js';

const LZ4_FRAME_MAGIC = 0x184d2204;
const LZ4_SKIPPABLE_MASK = 0xfffffff0;
const LZ4_SKIPPABLE_MAGIC = 0x184d2a50;

const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION = 0x40;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const BLOCK_UNCOMPRESSED = 0x80000000;

export function lz4Compress(data: Buffer): Buffer {
  return compressFrameSync(data);
}

interface FrameBound {
  /** End of the frame in the input. */
  end: number;
  /** Upper bound on the decompressed size. */
  bound: number;
}

const fail = (detail: string) => decompressFailed('lz4', undefined, detail);

/** Walks one LZ4 frame's headers; throws on malformed framing, never inflates. */
export function scanLz4Frame(data: Buffer, maxBytes: number): FrameBound {
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
  let bound = 0;
  for (;;) {
    if (at + 4 > data.length) throw fail('truncated block header');
    const word = data.readUInt32LE(at);
    at += 4;
    if (word === 0) break; // EndMark
    const size = word & 0x7fffffff;
    const stored = (word & BLOCK_UNCOMPRESSED) !== 0;
    if (size > blockMax) throw fail(`block of ${size} bytes exceeds the frame's ${blockMax}-byte maximum`);
    at += size + blockChecksum;
    if (at > data.length) throw fail('truncated block');
    bound += stored ? size : blockMax;
    if (bound > maxBytes) throw decompressedTooLarge('lz4', maxBytes);
  }
  if (flg & FLG_CONTENT_CHECKSUM) at += 4;
  if (at > data.length) throw fail('truncated content checksum');
  return { end: at, bound };
}

export function lz4Decompress(data: Buffer, maxBytes: number): Buffer {
  const { end } = scanLz4Frame(data, maxBytes);
  let out: Buffer;
  try {
    out = decompressFrameSync(end === data.length ? data : data.subarray(0, end));
  } catch (e) {
    throw decompressFailed('lz4', e);
  }
  if (out.length > maxBytes) throw decompressedTooLarge('lz4', maxBytes);
  return out;
}
