// FetchedChunk: the consumer's lazy record decoder must hand out exactly what the protocol codec
// decodes, however `read` is sliced, and turn damaged bytes into the codec's errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FetchedChunk, type FetchedRecord } from '../../../src/client/consumer/fetched-chunk.js';
import { CompressionType, TimestampType } from '../../../src/protocol/records/batch-header.js';
import { decodeRecordBatches } from '../../../src/protocol/records/decode.js';
import { encodeRecordBatch } from '../../../src/protocol/records/encode.js';
import { crc32c } from '../../../src/protocol/records/crc32c.js';
import { CorruptRecordError, InvalidRecordError } from '../../../src/protocol/records/errors.js';

const bytes = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
const record = fc.record({
  key: fc.option(bytes, { nil: null }),
  value: fc.option(bytes, { nil: null }),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 20 }), value: fc.option(bytes, { nil: null }) }), {
    maxLength: 3,
  }),
  // deltas past 2^49 take the codec's slow path (8+ byte varlongs)
  timestampDelta: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 2 ** 50, max: 2 ** 52 })),
});
const batch = fc.record({
  records: fc.array(record, { minLength: 1, maxLength: 15 }),
  // offset gaps as compaction leaves them; 2^27 zig-zags past a 4-byte varint (15 records stay in int32)
  gap: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 3 }), fc.constant(2 ** 27 + 5)),
  compression: fc.constantFrom(CompressionType.None, CompressionType.Gzip),
  logAppendTime: fc.boolean(),
});

type BatchSpec = typeof batch extends fc.Arbitrary<infer T> ? T : never;

function encode(batches: BatchSpec[]): Buffer {
  let baseOffset = 0;
  const out: Buffer[] = [];
  for (const b of batches) {
    const records = b.records.map((r, i) => ({ ...r, offsetDelta: i * b.gap }));
    out.push(
      encodeRecordBatch({
        baseOffset,
        compression: b.compression,
        baseTimestamp: 1_700_000_000_000,
        timestampType: b.logAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
        maxTimestamp: b.logAppendTime ? 1_800_000_000_000 : undefined,
        records,
      }),
    );
    baseOffset += (b.records.length - 1) * b.gap + 1;
  }
  return Buffer.concat(out);
}

function readAll(c: FetchedChunk, step: number): FetchedRecord[] {
  const out: FetchedRecord[] = [];
  for (let guard = 0; !c.done && guard < 10_000; guard++) c.read(step, out);
  return out;
}

describe('fetched chunk', () => {
  it('hands out what the codec decodes, from the fetch position on, in any slicing', () => {
    fc.assert(
      fc.property(
        fc.array(batch, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 7 }),
        fc.nat(),
        (batches, step, fromSeed) => {
          const buf = encode(batches);
          const expected = decodeRecordBatches(buf).flatMap((b) => b.records);
          const from = expected[fromSeed % expected.length]!.offset;
          const got = readAll(new FetchedChunk('t', 3, 0, buf, from, 99, undefined), step);
          const want = expected.filter((r) => r.offset >= from);
          assert.equal(got.length, want.length);
          for (const [i, r] of got.entries()) {
            const w = want[i]!;
            assert.deepEqual(
              { ...r, key: r.key && [...r.key], value: r.value && [...r.value] },
              {
                topic: 't',
                partition: 3,
                offset: w.offset,
                timestamp: w.timestamp,
                key: w.key && [...w.key],
                value: w.value && [...w.value],
                headers: w.headers,
              },
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('throws the codec error for a damaged batch after handing out the records before it', () => {
    const first = encodeRecordBatch({
      baseOffset: 0,
      records: [{ value: Buffer.from('a') }, { value: Buffer.from('b') }],
    });
    const second = encodeRecordBatch({ baseOffset: 2, records: [{ value: Buffer.from('c') }] });
    const last = second.length - 1;
    second[last] = second[last]! ^ 0xff; // breaks the CRC
    const c = new FetchedChunk('t', 0, 0, Buffer.concat([first, second]), 0, 3, undefined);
    const out: FetchedRecord[] = [];
    assert.throws(() => c.read(10, out), CorruptRecordError);
    assert.deepEqual(
      out.map((r) => r.value!.toString()),
      ['a', 'b'],
    );
    assert.equal(c.nextOffset, 2, 'fetching resumes at the damaged batch');
  });

  it('refuses a batch whose records do not fill its section exactly', () => {
    const good = encodeRecordBatch({
      baseOffset: 0,
      records: [{ value: Buffer.from('a') }, { value: Buffer.from('b') }],
    });
    // claim one record fewer than present: bytes remain after the declared records (CRC fixed up)
    const bad = Buffer.from(good);
    bad.writeInt32BE(1, 57);
    // a valid CRC over attributes..end, so only the count rule can fail
    bad.writeUInt32BE(crc32c(bad.subarray(21)), 17);
    const c = new FetchedChunk('t', 0, 0, bad, 0, 2, undefined);
    const out: FetchedRecord[] = [];
    assert.throws(() => c.read(10, out), InvalidRecordError);
  });
});
