/**
 * fast-check arbitraries for RecordBatch inputs, shared by the record-batch property, interop and
 * fuzz tests. Offsets and timestamps stay inside 2^53 (the codec's number range).
 */
import fc from 'fast-check';
import type { RecordBatchInput, RecordInput } from '../../../../src/protocol/records/index.js';

export const bytes = (maxLength: number): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
export const nullableBytes = (maxLength: number): fc.Arbitrary<Buffer | null> =>
  fc.option(bytes(maxLength), { nil: null });

export const headerArb = fc.record({
  key: fc.string({ unit: 'grapheme', maxLength: 12 }),
  value: nullableBytes(32),
});

export const recordArb: fc.Arbitrary<RecordInput> = fc.record({
  key: nullableBytes(48),
  value: nullableBytes(300),
  headers: fc.array(headerArb, { maxLength: 4 }),
  timestampDelta: fc.oneof(
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  ),
});

/** Offset deltas as a strictly increasing sequence, sometimes with gaps (as compaction leaves). */
const withOffsetDeltas = (records: RecordInput[], gaps: number[]): RecordInput[] => {
  let delta = -1;
  return records.map((r, i) => {
    delta += 1 + (gaps[i] ?? 0);
    return { ...r, offsetDelta: delta };
  });
};

export const batchArb: fc.Arbitrary<RecordBatchInput> = fc
  .record({
    baseOffset: fc.integer({ min: 0, max: 2 ** 50 }),
    partitionLeaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
    compression: fc.constantFrom(0, 1, 2, 3, 4),
    timestampType: fc.constantFrom(0, 1),
    isTransactional: fc.boolean(),
    isControl: fc.boolean(),
    producerId: fc.bigInt({ min: -1n, max: 2n ** 63n - 1n }),
    producerEpoch: fc.integer({ min: -1, max: 32767 }),
    baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
    baseTimestamp: fc.integer({ min: -1, max: 2 ** 45 }),
    records: fc.array(recordArb, { minLength: 1, maxLength: 12 }),
    gaps: fc.array(fc.nat(3), { maxLength: 12 }),
    useGaps: fc.boolean(),
  })
  .map(({ gaps, useGaps, records, ...rest }) => ({
    ...rest,
    records: useGaps ? withOffsetDeltas(records, gaps) : records,
  }));
