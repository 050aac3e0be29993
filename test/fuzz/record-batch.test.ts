/**
 * Fuzzing the RecordBatch v2 validator, decoder and decompressors: random bytes and mutated
 * valid batches (bit flips, truncation, length and count fields set to extremes) must raise only
 * the codec's typed errors (DecodeError and its RecordBatchError subclasses), finish promptly,
 * and not allocate in proportion to what a length field claims. Mutated batches get their CRC
 * recomputed most of the time so the fuzz reaches the record decoder and the decompressors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DecodeError, Writer } from '../../src/protocol/primitives/index.js';
import {
  CRC_OFFSET,
  CompressionType,
  LAST_OFFSET_DELTA_OFFSET,
  RECORDS_OFFSET,
  RECORD_COUNT_OFFSET,
  crc32c,
  decodeRecordBatches,
  decompress,
  encodeRecordBatch,
  validateRecordBatches,
} from '../../src/protocol/records/index.js';
import { batchArb } from '../unit/protocol/records/arbitraries.js';

const CAP = 1024 * 1024;
/** VLTAVA_FUZZ_SCALE multiplies every run count, for long local fuzzing sessions. */
const SCALE = Number(process.env.VLTAVA_FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const opts = { maxDecompressedBytes: CAP };

const reCrc = (b: Buffer): Buffer => {
  if (b.length >= RECORDS_OFFSET) b.writeUInt32BE(crc32c(b.subarray(21)), CRC_OFFSET);
  return b;
};

/** Runs validate and decode; anything thrown must be a DecodeError. */
function exercise(buf: Buffer): void {
  for (const f of [() => validateRecordBatches(buf), () => decodeRecordBatches(buf, opts)]) {
    try {
      f();
    } catch (e) {
      if (!(e instanceof DecodeError)) throw new Error(`untyped error escaped: ${(e as Error)?.stack ?? e}`);
    }
  }
}

const EXTREMES = [0, -1, 1, 0x7fffffff, -0x80000000, 0x7ffffffe, 48, 49, 60, 61];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'int32'; field: number; value: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('int32' as const),
    field: fc.constantFrom(8, 12, LAST_OFFSET_DELTA_OFFSET, RECORD_COUNT_OFFSET, 53),
    value: fc.oneof(fc.constantFrom(...EXTREMES), fc.integer({ min: -0x80000000, max: 0x7fffffff })),
  }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0x7f, 0x80, 0xff, 0x01) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
);

function mutate(src: Buffer, m: Mutation): Buffer {
  const b = Buffer.from(src);
  if (b.length === 0) return b;
  switch (m.kind) {
    case 'flip':
      b[m.at % b.length]! ^= 1 << m.bit;
      return b;
    case 'truncate':
      return b.subarray(0, m.at % b.length);
    case 'int32':
      if (m.field + 4 <= b.length) b.writeInt32BE(m.value, m.field);
      return b;
    case 'byte':
      // bias toward the records section, where varint lengths live
      b[Math.min(b.length - 1, RECORDS_OFFSET + (m.at % Math.max(1, b.length - RECORDS_OFFSET)))] = m.value;
      return b;
    case 'insert': {
      const at = m.at % b.length;
      const out = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
      if (out.length >= 12) out.writeInt32BE(out.length - 12, 8); // keep framing consistent so the damage is deeper
      return out;
    }
  }
}

describe('record batch fuzz', () => {
  it('random bytes raise only typed errors', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (a) => exercise(Buffer.from(a))),
      { numRuns: runs(3000) },
    );
  });

  it('random bytes behind a plausible v2 header raise only typed errors', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 2, 3, 4),
        fc.integer({ min: 0, max: 64 }),
        fc.uint8Array({ maxLength: 400 }),
        (codec, count, a) => {
          const b = Buffer.concat([Buffer.alloc(RECORDS_OFFSET), Buffer.from(a)]);
          b.writeInt32BE(b.length - 12, 8);
          b[16] = 2;
          b.writeInt16BE(codec, 21);
          b.writeInt32BE(count - 1, LAST_OFFSET_DELTA_OFFSET);
          b.writeInt32BE(count, RECORD_COUNT_OFFSET);
          exercise(reCrc(b));
        },
      ),
      { numRuns: runs(2000) },
    );
  });

  it('mutated valid batches (every codec) raise only typed errors', { timeout: 300_000 }, () => {
    fc.assert(
      fc.property(
        batchArb,
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        (input, ms, fixCrc, twice) => {
          let b = encodeRecordBatch(input);
          if (twice) b = Buffer.concat([b, b]);
          for (const m of ms) b = mutate(b, m);
          exercise(fixCrc ? reCrc(b) : b);
        },
      ),
      { numRuns: runs(2500) },
    );
  });

  it('mutated compressed payloads raise only CORRUPT_MESSAGE from the decompressors', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(
        fc.constantFrom(CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd),
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        (codec, a, ms) => {
          const enc = encodeRecordBatch({ compression: codec, baseTimestamp: 0, records: [{ value: Buffer.from(a) }] });
          let payload = enc.subarray(RECORDS_OFFSET);
          for (const m of ms) payload = mutate(payload, m.kind === 'insert' ? { ...m, kind: 'byte', value: 0xff } : m);
          try {
            decompress(codec, payload, CAP);
          } catch (e) {
            if (!(e instanceof DecodeError)) throw new Error(`untyped error escaped: ${(e as Error)?.stack ?? e}`);
          }
        },
      ),
      { numRuns: runs(2000) },
    );
  });
});

describe('length claims do not allocate what they claim', () => {
  const memory = () => {
    const m = process.memoryUsage();
    return m.arrayBuffers + m.heapUsed;
  };

  /** Decoding must throw a typed error and leave memory within `slack` of where it started. */
  function expectCheap(buf: Buffer, slack = 32 * 1024 * 1024): void {
    const before = memory();
    assert.throws(() => decodeRecordBatches(buf), DecodeError);
    assert.ok(memory() - before < slack, `grew by ${memory() - before} bytes`);
  }

  /** An uncompressed batch whose records section is `body`, claiming `count` records (CRC and framing valid). */
  function withRecordBytes(body: Buffer, count: number): Buffer {
    const base = encodeRecordBatch({ baseTimestamp: 0, records: [] });
    const b = Buffer.concat([base.subarray(0, RECORDS_OFFSET), body]);
    b.writeInt32BE(b.length - 12, 8);
    b.writeInt32BE(count - 1, LAST_OFFSET_DELTA_OFFSET);
    b.writeInt32BE(count, RECORD_COUNT_OFFSET);
    return reCrc(b);
  }

  it('a batchLength of 0x7fffffff on a small buffer', () => {
    const b = encodeRecordBatch({ baseTimestamp: 0, records: [{ value: Buffer.from('x') }] });
    b.writeInt32BE(0x7fffffff, 8);
    expectCheap(b);
  });

  it('a record count of 2^31 - 1, uncompressed and compressed', () => {
    const one = encodeRecordBatch({ baseTimestamp: 0, records: [{ value: Buffer.from('x') }] });
    expectCheap(withRecordBytes(one.subarray(RECORDS_OFFSET), 0x7fffffff));
    for (const codec of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      const c = encodeRecordBatch({ compression: codec, baseTimestamp: 0, records: [{ value: Buffer.from('x') }] });
      c.writeInt32BE(0x7fffffff, RECORD_COUNT_OFFSET);
      c.writeInt32BE(0x7ffffffe, LAST_OFFSET_DELTA_OFFSET);
      expectCheap(reCrc(c));
    }
  });

  it('record, key, value and header-count varints claiming 2^31 bytes', () => {
    const big = 0x7fffffff;
    const w = (f: (w: Writer) => void) => {
      const wr = new Writer();
      f(wr);
      return wr.finish();
    };
    // record length
    expectCheap(
      withRecordBytes(
        w((x) => x.varint(big)),
        1,
      ),
    );
    // key length inside a record of plausible length
    const body = (inner: Buffer) => w((x) => x.varint(inner.length).raw(inner));
    expectCheap(withRecordBytes(body(w((x) => x.int8(0).varint(0).varint(0).varint(big))), 1));
    // value length
    expectCheap(withRecordBytes(body(w((x) => x.int8(0).varint(0).varint(0).varint(-1).varint(big))), 1));
    // header count
    expectCheap(withRecordBytes(body(w((x) => x.int8(0).varint(0).varint(0).varint(-1).varint(-1).varint(big))), 1));
  });

  it('a compressed payload that inflates past the cap is stopped at the cap', () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024);
    for (const codec of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      const b = encodeRecordBatch({ compression: codec, baseTimestamp: 0, records: [{ value: zeros }] });
      const before = memory();
      assert.throws(() => decodeRecordBatches(b, { maxDecompressedBytes: 1024 * 1024 }), DecodeError);
      assert.ok(memory() - before < 32 * 1024 * 1024);
    }
  });
});
