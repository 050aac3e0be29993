/**
 * Interop with kafkajs' own RecordBatch encoder and decoder (node_modules/kafkajs/src/protocol/
 * recordBatch), in both directions, for every codec. kafkajs ships only gzip; the other codecs are
 * registered the way kafkajs users do, in its `Codecs` table:
 *   - snappy: kafkajs-snappy (the codec kafkajs documents; pure-JS snappyjs, raw blocks out,
 *     xerial or raw in);
 *   - lz4: an adapter over lz4js (pure JS, independent of our lz4-napi; writes linked blocks).
 *     kafkajs-lz4 itself needs a native build of an unmaintained `lz4` package, so it is not used;
 *   - zstd: decompression by fzstd (pure JS, independent of our zstd-napi); compression (kafkajs →
 *     us direction) by zstd-napi streaming without a content size, since no pure-JS zstd
 *     compressor is available. @kafkajs/zstd needs a native build and is not used.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type * as ZstdBinding from 'zstd-napi/binding.js';
import {
  CompressionType,
  type RecordBatchInput,
  TimestampType,
  decodeRecordBatch,
  encodeRecordBatch,
} from '../../../../src/protocol/records/index.js';
import { recordArb } from './arbitraries.js';

const require = createRequire(import.meta.url);
type KDecoder = unknown;
const KafkaDecoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => KDecoder;
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (
  d: KDecoder,
) => Promise<KafkajsBatch>;
const { RecordBatch: encodeKafkajsBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch(args: object): Promise<{ buffer: Buffer }>;
};
const KafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: object) => unknown;
const Long = require('kafkajs/src/utils/long') as { fromString(s: string): unknown };
const compression = require('kafkajs/src/protocol/message/compression') as { Codecs: Record<number, () => Codec> };
const lz4js = require('lz4js') as { compress(b: Uint8Array): Uint8Array; decompress(b: Uint8Array): Uint8Array };
const fzstd = require('fzstd') as { decompress(b: Uint8Array): Uint8Array };
const zstd = require('zstd-napi/binding.js') as typeof ZstdBinding;

interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}
interface KafkajsRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: { [k: string]: Buffer | null | (Buffer | null)[] };
}
interface KafkajsBatch {
  firstOffset: string;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  maxTimestamp: string;
  records: KafkajsRecord[];
}

function zstdCompressStreaming(data: Buffer): Buffer {
  const cctx = new zstd.CCtx();
  cctx.setParameter(zstd.CParameter.contentSizeFlag, 0);
  const out = Buffer.alloc(zstd.compressBound(data.length) + 64);
  const [, produced] = cctx.compressStream2(out, data, zstd.EndDirective.end);
  return out.subarray(0, produced);
}

compression.Codecs[CompressionType.Snappy] = require('kafkajs-snappy') as () => Codec;
compression.Codecs[CompressionType.Lz4] = () => ({
  compress: async (e) => Buffer.from(lz4js.compress(e.buffer)),
  decompress: async (b) => Buffer.from(lz4js.decompress(b)),
});
compression.Codecs[CompressionType.Zstd] = () => ({
  compress: async (e) => zstdCompressStreaming(e.buffer),
  decompress: async (b) => Buffer.from(fzstd.decompress(b)),
});

const CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
];

/** kafkajs folds headers into an object, repeated keys into arrays. */
function kafkajsHeaders(headers: readonly { key: string | Buffer; value: Buffer | null }[]): KafkajsRecord['headers'] {
  const out: KafkajsRecord['headers'] = {};
  for (const { key, value } of headers) {
    const k = String(key);
    const prev = out[k];
    out[k] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

describe('interop with kafkajs RecordBatch', () => {
  it('batches we encode decode in kafkajs, every codec', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CODECS),
        fc.array(recordArb, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 42 }),
        fc.boolean(),
        async (codec, records, baseOffset, baseTimestamp, isTransactional) => {
          // kafkajs keys header maps by string; keep keys distinct from Object.prototype names
          const input: RecordBatchInput = {
            compression: codec,
            baseOffset,
            baseTimestamp,
            isTransactional,
            producerId: 4242n,
            producerEpoch: 3,
            baseSequence: 17,
            records: records.map((r) => ({
              ...r,
              headers: r.headers?.map((h) => ({ ...h, key: `h-${String(h.key)}` })),
            })),
          };
          const buf = encodeRecordBatch(input);
          const k = await decodeKafkajsBatch(new KafkaDecoder(buf));
          assert.equal(k.firstOffset, String(baseOffset));
          assert.equal(k.inTransaction, isTransactional);
          assert.equal(k.isControlBatch, false);
          assert.equal(k.producerId, '4242');
          assert.equal(k.producerEpoch, 3);
          assert.equal(k.firstSequence, 17);
          assert.equal(k.lastOffsetDelta, records.length - 1);
          assert.equal(k.records.length, records.length);
          k.records.forEach((kr, i) => {
            const want = input.records[i]!;
            assert.equal(kr.offset, String(baseOffset + i));
            assert.equal(kr.timestamp, String(baseTimestamp + (want.timestampDelta ?? 0)));
            assert.deepEqual(kr.key, want.key ?? null);
            assert.deepEqual(kr.value, want.value ?? null);
            assert.deepEqual(kr.headers, kafkajsHeaders(want.headers ?? []));
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('batches kafkajs encodes decode in ours, every codec', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CODECS),
        fc.array(
          fc.record({
            key: fc.uint8Array({ maxLength: 32 }).map((a) => Buffer.from(a)),
            value: fc.uint8Array({ maxLength: 500 }).map((a) => Buffer.from(a)),
            timestampDelta: fc.integer({ min: 0, max: 100_000 }),
            headerValue: fc.option(
              fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)),
              { nil: undefined },
            ),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.boolean(),
        async (codec, records, transactional) => {
          const firstTimestamp = 1_700_000_000_000;
          const maxTimestamp = firstTimestamp + Math.max(...records.map((r) => r.timestampDelta));
          const batch = await encodeKafkajsBatch({
            compression: codec,
            firstOffset: Long.fromString('0'),
            firstTimestamp,
            maxTimestamp,
            partitionLeaderEpoch: 0,
            lastOffsetDelta: records.length - 1,
            transactional,
            producerId: Long.fromString('99'),
            producerEpoch: 2,
            firstSequence: 5,
            records: records.map((r, i) =>
              KafkajsRecord({
                offsetDelta: i,
                timestampDelta: r.timestampDelta,
                key: r.key,
                value: r.value,
                headers: r.headerValue ? { trace: r.headerValue } : {},
              }),
            ),
          });
          const d = decodeRecordBatch(batch.buffer);
          assert.equal(d.compression, codec);
          assert.equal(d.isTransactional, transactional);
          assert.equal(d.producerId, 99n);
          assert.equal(d.producerEpoch, 2);
          assert.equal(d.baseSequence, 5);
          assert.equal(d.timestampType, TimestampType.CreateTime);
          assert.equal(d.maxTimestamp, maxTimestamp);
          assert.equal(d.records.length, records.length);
          d.records.forEach((r, i) => {
            const want = records[i]!;
            assert.equal(r.offset, i);
            assert.equal(r.timestamp, firstTimestamp + want.timestampDelta);
            assert.deepEqual(r.key, want.key);
            assert.deepEqual(r.value, want.value);
            assert.deepEqual(r.headers, want.headerValue ? [{ key: 'trace', value: want.headerValue }] : []);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
