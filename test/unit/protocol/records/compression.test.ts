import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { compressFrameSync } from 'lz4-napi';
import { compressSync as snappyRaw } from 'snappy';
import type * as ZstdBinding from 'zstd-napi/binding.js';
import {
  CompressionType,
  CorruptRecordError,
  compress,
  decompress,
  isXerialSnappy,
} from '../../../../src/protocol/records/index.js';

const require = createRequire(import.meta.url);
const zstd = require('zstd-napi/binding.js') as typeof ZstdBinding;
// Independent decoders, to show our output is standard and not only self-consistent.
const lz4js = require('lz4js') as { compress(b: Uint8Array): Uint8Array; decompress(b: Uint8Array): Uint8Array };
const xxh32 = require('lz4js/xxh32.js') as { hash(seed: number, b: Uint8Array, at: number, n: number): number };
const fzstd = require('fzstd') as { decompress(b: Uint8Array): Uint8Array };
const kafkajsSnappy = (
  require('kafkajs-snappy') as () => {
    decompress(b: Buffer): Promise<Buffer>;
    compress(e: { buffer: Buffer }): Promise<Buffer>;
  }
)();

const CODECS = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd] as const;
const isReason = (reason: string) => (e: unknown) => e instanceof CorruptRecordError && e.reason === reason;

/** Compressible but not trivial: repeated words with a counter. */
const text = (n: number): Buffer => {
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const s = `record-${i % 977} value ${i * 7919} `;
    parts.push(s);
    len += s.length;
  }
  return Buffer.from(parts.join('')).subarray(0, n);
};

/** zstd frame without a content size, as Java's zstd-jni streaming writer produces. */
function zstdNoContentSize(data: Buffer): Buffer {
  const cctx = new zstd.CCtx();
  cctx.setParameter(zstd.CParameter.contentSizeFlag, 0);
  const out = Buffer.alloc(zstd.compressBound(data.length) + 64);
  const [remaining, produced] = cctx.compressStream2(out, data, zstd.EndDirective.end);
  assert.equal(remaining, 0);
  return out.subarray(0, produced);
}

/** Rewrites an lz4-napi frame to carry a content size, recomputing the header checksum. */
function lz4WithContentSize(frame: Buffer, contentSize: number): Buffer {
  const flg = frame[4]! | 0x08;
  const size = Buffer.alloc(8);
  size.writeUInt32LE(contentSize % 2 ** 32, 0);
  size.writeUInt32LE(Math.floor(contentSize / 2 ** 32), 4);
  const descriptor = Buffer.concat([Buffer.from([flg, frame[5]!]), size]);
  const hc = (xxh32.hash(0, descriptor, 0, descriptor.length) >>> 8) & 0xff;
  return Buffer.concat([frame.subarray(0, 4), descriptor, Buffer.from([hc]), frame.subarray(7)]);
}

describe('compression codecs', () => {
  it('every codec round-trips random bytes, including empty input', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CODECS), fc.uint8Array({ maxLength: 100_000 }), (codec, a) => {
        const data = Buffer.from(a);
        assert.deepEqual(decompress(codec, compress(codec, data)), data);
      }),
      { numRuns: 80 },
    );
    for (const codec of CODECS) assert.equal(decompress(codec, compress(codec, Buffer.alloc(0))).length, 0);
  });

  it('snappy compresses to xerial framing with 32 KiB blocks, as Java does', () => {
    const data = text(100 * 1024);
    const c = compress(CompressionType.Snappy, data);
    assert.equal(isXerialSnappy(c), true);
    assert.deepEqual([...c.subarray(0, 16)], [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    let blocks = 0;
    for (let at = 16; at < c.length; at += 4 + c.readInt32BE(at)) blocks++;
    assert.equal(blocks, 4);
  });

  it('snappy decompresses xerial frames and raw blocks (kafkajs-snappy sends raw blocks)', async () => {
    const data = text(70_000);
    assert.deepEqual(decompress(CompressionType.Snappy, snappyRaw(data)), data);
    const fromKafkajs = await kafkajsSnappy.compress({ buffer: data });
    assert.equal(isXerialSnappy(fromKafkajs), false);
    assert.deepEqual(decompress(CompressionType.Snappy, fromKafkajs), data);
    assert.deepEqual(await kafkajsSnappy.decompress(compress(CompressionType.Snappy, data)), data);
  });

  it('lz4 reads frames with content size, block and content checksums, and linked blocks', () => {
    const data = text(300_000);
    const checked = compressFrameSync(data, { contentChecksum: true, blockChecksums: true });
    assert.deepEqual(decompress(CompressionType.Lz4, checked), data);
    assert.deepEqual(decompress(CompressionType.Lz4, lz4WithContentSize(checked, data.length)), data);
    const linked = Buffer.from(lz4js.compress(data)); // lz4js writes dependent (linked) blocks
    assert.equal(linked[4]! & 0x20, 0);
    assert.deepEqual(decompress(CompressionType.Lz4, linked), data);
    // a cap below the frame's bound takes the block-by-block path, linked blocks included
    assert.deepEqual(decompress(CompressionType.Lz4, linked, data.length), data);
    assert.deepEqual(decompress(CompressionType.Lz4, checked, data.length), data);
    assert.throws(() => decompress(CompressionType.Lz4, linked, data.length - 1), isReason('decompressed-too-large'));
    assert.deepEqual(Buffer.from(lz4js.decompress(compress(CompressionType.Lz4, data))), data);
  });

  it('lz4 frames we write use independent blocks without checksums, the options Java requires', () => {
    const c = compress(CompressionType.Lz4, text(1000));
    assert.equal(c.readUInt32LE(0), 0x184d2204);
    assert.equal(c[4]! & 0xe0, 0x60); // version 01, block independence
    assert.equal(c[4]! & 0x1d, 0); // no block/content checksum, no content size, no dict id
  });

  it('zstd reads frames without a content size and several frames back to back', () => {
    const data = text(500_000);
    const noSize = zstdNoContentSize(data);
    assert.equal(zstd.getFrameContentSize(noSize), null);
    assert.deepEqual(decompress(CompressionType.Zstd, noSize), data);
    const two = Buffer.concat([
      compress(CompressionType.Zstd, data.subarray(0, 1000)),
      zstdNoContentSize(data.subarray(1000)),
    ]);
    assert.deepEqual(decompress(CompressionType.Zstd, two), data);
    assert.deepEqual(Buffer.from(fzstd.decompress(compress(CompressionType.Zstd, data))), data);
  });

  it('gzip reads concatenated members', () => {
    const a = text(5000);
    const b = text(7000);
    assert.deepEqual(
      decompress(CompressionType.Gzip, Buffer.concat([gzipSync(a), gzipSync(b)])),
      Buffer.concat([a, b]),
    );
  });

  it('output past maxDecompressedBytes is refused by every codec; exactly the cap is allowed', () => {
    const data = Buffer.alloc(1024 * 1024, 0x61);
    for (const codec of CODECS) {
      const c = compress(codec, data);
      assert.throws(() => decompress(codec, c, 64 * 1024), isReason('decompressed-too-large'), `codec ${codec}`);
      assert.equal(decompress(codec, c, data.length).length, data.length, `codec ${codec}`);
    }
    assert.throws(
      () => decompress(CompressionType.Zstd, zstdNoContentSize(data), 1000),
      isReason('decompressed-too-large'),
    );
  });

  it('size claims in headers are checked before anything is allocated', () => {
    // raw snappy block whose preamble claims 4 GiB
    const snappyBomb = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]);
    assert.throws(() => decompress(CompressionType.Snappy, snappyBomb), isReason('decompressed-too-large'));
    const lz4Bomb = lz4WithContentSize(compress(CompressionType.Lz4, Buffer.from('x')), 2 ** 52);
    assert.throws(() => decompress(CompressionType.Lz4, lz4Bomb), isReason('decompressed-too-large'));
    // zstd frame header claiming 2^40 bytes: single-segment flag off, 8-byte content size
    // (zstd itself does not hold the claim against the empty block that follows; what matters is
    // that the claim is not what sizes the output)
    const zstdBomb = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xc0, 0x50, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
    assert.equal(decompress(CompressionType.Zstd, zstdBomb).length, 0);
  });

  it('truncated or garbage input is CORRUPT_MESSAGE (decompress-failed) for every codec, without hanging', () => {
    const data = text(200_000);
    for (const codec of CODECS) {
      const c = compress(codec, data);
      for (const cut of [1, 7, 17, Math.floor(c.length / 2), c.length - 1]) {
        assert.throws(() => decompress(codec, c.subarray(0, cut)), CorruptRecordError, `codec ${codec} cut ${cut}`);
      }
      assert.throws(() => decompress(codec, Buffer.from('definitely not compressed data')), CorruptRecordError);
    }
    const noSize = zstdNoContentSize(data);
    assert.throws(
      () => decompress(CompressionType.Zstd, noSize.subarray(0, noSize.length - 3)),
      isReason('decompress-failed'),
    );
  });

  it('unknown compression ids are refused', () => {
    assert.throws(
      () => decompress(5, Buffer.alloc(1)),
      (e: unknown) => (e as { reason?: string }).reason === 'unsupported-compression',
    );
  });
});
