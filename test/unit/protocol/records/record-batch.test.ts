import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  BATCH_LENGTH_OFFSET,
  CORRUPT_MESSAGE,
  CRC_OFFSET,
  CompressionType,
  ControlRecordType,
  CorruptRecordError,
  INVALID_RECORD,
  InvalidRecordError,
  MAGIC_OFFSET,
  RECORD_COUNT_OFFSET,
  type RecordBatchInput,
  TimestampType,
  UNSUPPORTED_COMPRESSION_TYPE,
  UnsupportedCompressionError,
  crc32c,
  decodeRecordBatch,
  decodeRecordBatches,
  decodeRecords,
  encodeEndTxnMarkerBatch,
  encodeRecordBatch,
  iterateRecords,
  parseControlRecordKey,
  parseEndTxnMarkerValue,
  setBatchBaseOffset,
  validateRecordBatch,
  validateRecordBatches,
} from '../../../../src/protocol/records/index.js';
import { batchArb } from './arbitraries.js';

/** What decoding must give back for an encoded input. */
function expectRoundTrip(input: RecordBatchInput, buf: Buffer, position = 0): void {
  const s = validateRecordBatch(buf, position);
  const d = decodeRecordBatch(buf, position);
  assert.equal(s.sizeInBytes, d.sizeInBytes);
  assert.equal(d.baseOffset, input.baseOffset ?? 0);
  assert.equal(d.partitionLeaderEpoch, input.partitionLeaderEpoch ?? -1);
  assert.equal(d.compression, input.compression ?? 0);
  assert.equal(d.timestampType, input.timestampType ?? 0);
  assert.equal(d.isTransactional, input.isTransactional ?? false);
  assert.equal(d.isControl, input.isControl ?? false);
  assert.equal(d.producerId, BigInt(input.producerId ?? -1n));
  assert.equal(d.producerEpoch, input.producerEpoch ?? -1);
  assert.equal(d.baseSequence, input.baseSequence ?? -1);
  assert.equal(d.recordCount, input.records.length);
  const baseTimestamp = input.baseTimestamp!;
  assert.equal(d.baseTimestamp, baseTimestamp);
  const deltas = input.records.map((r, i) => r.offsetDelta ?? i);
  assert.equal(d.lastOffsetDelta, Math.max(...deltas));
  const timestamps = input.records.map((r) => baseTimestamp + (r.timestampDelta ?? 0));
  // as Kafka's MemoryRecordsBuilder: the running max starts at NO_TIMESTAMP (-1)
  assert.equal(d.maxTimestamp, Math.max(-1, ...timestamps));
  assert.equal(d.records.length, input.records.length);
  d.records.forEach((r, i) => {
    const want = input.records[i]!;
    assert.equal(r.offsetDelta, deltas[i]);
    assert.equal(r.offset, d.baseOffset + deltas[i]!);
    assert.equal(r.timestampDelta, want.timestampDelta ?? 0);
    assert.equal(r.timestamp, d.timestampType === TimestampType.LogAppendTime ? d.maxTimestamp : timestamps[i]);
    assert.deepEqual(r.key, want.key ?? null);
    assert.deepEqual(r.value, want.value ?? null);
    assert.deepEqual(
      r.headers,
      (want.headers ?? []).map((h) => ({ key: String(h.key), value: h.value })),
    );
  });
}

const sample = (extra: Partial<RecordBatchInput> = {}): Buffer =>
  encodeRecordBatch({
    baseTimestamp: 1_700_000_000_000,
    records: [
      { key: Buffer.from('k1'), value: Buffer.from('v1'), timestampDelta: 0 },
      { key: null, value: Buffer.from('v2'), timestampDelta: 5, headers: [{ key: 'h', value: Buffer.from('x') }] },
    ],
    ...extra,
  });

const reCrc = (b: Buffer): Buffer => {
  b.writeUInt32BE(crc32c(b.subarray(21)), CRC_OFFSET);
  return b;
};

describe('RecordBatch v2 codec', () => {
  it('encode → validate → decode round-trips random batches with every compression', () => {
    fc.assert(
      fc.property(batchArb, (input) => {
        expectRoundTrip(input, encodeRecordBatch(input));
      }),
      { numRuns: 300 },
    );
  });

  it('validates and decodes several batches laid back to back, reporting each position', () => {
    fc.assert(
      fc.property(fc.array(batchArb, { minLength: 1, maxLength: 4 }), (inputs) => {
        const parts = inputs.map((i) => encodeRecordBatch(i));
        const all = Buffer.concat(parts);
        const summaries = validateRecordBatches(all);
        assert.equal(summaries.length, inputs.length);
        let position = 0;
        summaries.forEach((s, i) => {
          assert.equal(s.position, position);
          assert.equal(s.sizeInBytes, parts[i]!.length);
          expectRoundTrip(inputs[i]!, all, position);
          position += s.sizeInBytes;
        });
        assert.equal(decodeRecordBatches(all).length, inputs.length);
      }),
      { numRuns: 50 },
    );
  });

  it('record bytes of an uncompressed batch are views of the input, not copies', () => {
    const buf = sample();
    const [first] = decodeRecords(buf);
    assert.equal(first!.value!.buffer, buf.buffer);
    buf[buf.length - 1] ^= 0; // no-op, keeps the CRC valid
  });

  it('the CRC covers attributes to the end but not baseOffset or partitionLeaderEpoch', () => {
    const buf = sample();
    setBatchBaseOffset(buf, 12345);
    buf.writeInt32BE(9, 12);
    const s = validateRecordBatch(buf);
    assert.equal(s.baseOffset, 12345);
    assert.equal(s.partitionLeaderEpoch, 9);
    assert.equal(decodeRecords(buf)[1]!.offset, 12346);
  });

  it('a flipped bit under the CRC is CORRUPT_MESSAGE (crc-mismatch)', () => {
    const buf = sample();
    buf[buf.length - 2] ^= 0x10;
    assert.throws(
      () => validateRecordBatch(buf),
      (e: unknown) => e instanceof CorruptRecordError && e.reason === 'crc-mismatch' && e.errorCode === CORRUPT_MESSAGE,
    );
  });

  it('magic 0 or 1 is INVALID_RECORD, any other magic but 2 is CORRUPT_MESSAGE', () => {
    for (const magic of [0, 1]) {
      const buf = sample();
      buf[MAGIC_OFFSET] = magic;
      assert.throws(
        () => validateRecordBatch(buf),
        (e: unknown) =>
          e instanceof InvalidRecordError && e.reason === 'unsupported-magic' && e.errorCode === INVALID_RECORD,
      );
    }
    for (const magic of [3, 0x7f, -1]) {
      const buf = sample();
      buf.writeInt8(magic, MAGIC_OFFSET);
      assert.throws(
        () => validateRecordBatch(buf),
        (e: unknown) => e instanceof CorruptRecordError && e.reason === 'invalid-magic',
      );
    }
  });

  it('framing errors: short buffer, batchLength below minimum, batchLength past the end', () => {
    const buf = sample();
    const isCorrupt = (reason: string) => (e: unknown) => e instanceof CorruptRecordError && e.reason === reason;
    assert.throws(() => validateRecordBatch(buf.subarray(0, 11)), isCorrupt('truncated'));
    assert.throws(() => validateRecordBatch(buf.subarray(0, buf.length - 1)), isCorrupt('truncated'));
    const small = Buffer.from(buf);
    small.writeInt32BE(13, BATCH_LENGTH_OFFSET);
    assert.throws(() => validateRecordBatch(small), isCorrupt('batch-too-small'));
    small.writeInt32BE(30, BATCH_LENGTH_OFFSET);
    assert.throws(() => validateRecordBatch(small), isCorrupt('batch-too-small'));
    const huge = Buffer.from(buf);
    huge.writeInt32BE(0x7fffffff, BATCH_LENGTH_OFFSET);
    assert.throws(() => validateRecordBatch(huge), isCorrupt('truncated'));
    assert.throws(() => validateRecordBatches(Buffer.concat([buf, buf.subarray(0, 20)])), isCorrupt('truncated'));
  });

  it('a record count the bytes cannot hold is refused before any record is read', () => {
    const buf = sample();
    buf.writeInt32BE(2 ** 31 - 1, RECORD_COUNT_OFFSET);
    buf.writeInt32BE(2 ** 31 - 2, 23); // lastOffsetDelta, so only the byte bound can object
    reCrc(buf);
    assert.throws(
      () => validateRecordBatch(buf),
      (e: unknown) => e instanceof InvalidRecordError && e.reason === 'invalid-count',
    );
    const neg = reCrc(Object.assign(sample(), {}));
    neg.writeInt32BE(-1, RECORD_COUNT_OFFSET);
    assert.throws(() => validateRecordBatch(reCrc(neg)), InvalidRecordError);
  });

  it('records present must match recordCount exactly', () => {
    const fewer = sample();
    fewer.writeInt32BE(1, RECORD_COUNT_OFFSET);
    reCrc(fewer);
    assert.throws(
      () => decodeRecords(fewer),
      (e: unknown) => e instanceof InvalidRecordError && /remain/.test(e.message),
    );
    const three = encodeRecordBatch({ compression: CompressionType.Gzip, baseTimestamp: 0, records: [{}, {}, {}] });
    const s = validateRecordBatch(three);
    assert.equal(s.recordCount, 3);
    three.writeInt32BE(4, RECORD_COUNT_OFFSET);
    three.writeInt32BE(3, 23);
    reCrc(three);
    assert.throws(() => decodeRecords(three), InvalidRecordError);
  });

  it('compression ids 5..7 are UNSUPPORTED_COMPRESSION_TYPE', () => {
    const buf = sample();
    buf.writeInt16BE(6, 21);
    reCrc(buf);
    assert.throws(
      () => validateRecordBatch(buf),
      (e: unknown) => e instanceof UnsupportedCompressionError && e.errorCode === UNSUPPORTED_COMPRESSION_TYPE,
    );
  });

  it('client-origin rules: count matches offsets, no control batches, sequence with a producer id', () => {
    const opts = { clientOrigin: true };
    assert.equal(validateRecordBatch(sample(), 0, opts).recordCount, 2);
    const gapped = encodeRecordBatch({ baseTimestamp: 0, records: [{ offsetDelta: 0 }, { offsetDelta: 2 }] });
    assert.equal(validateRecordBatch(gapped).recordCount, 2); // compacted batches keep their gaps
    assert.throws(
      () => validateRecordBatch(gapped, 0, opts),
      (e: unknown) => (e as InvalidRecordError).reason === 'invalid-count',
    );
    const empty = encodeRecordBatch({ baseTimestamp: 0, lastOffsetDelta: 4, records: [] });
    assert.equal(validateRecordBatch(empty).recordCount, 0);
    assert.throws(() => validateRecordBatch(empty, 0, opts), InvalidRecordError);
    const control = sample({ isControl: true });
    assert.throws(
      () => validateRecordBatch(control, 0, opts),
      (e: unknown) => (e as InvalidRecordError).reason === 'control-from-client',
    );
    const noSeq = sample({ producerId: 7n, producerEpoch: 0, baseSequence: -1 });
    assert.throws(
      () => validateRecordBatch(noSeq, 0, opts),
      (e: unknown) => (e as InvalidRecordError).reason === 'invalid-sequence',
    );
    assert.equal(
      validateRecordBatch(sample({ producerId: 7n, producerEpoch: 0, baseSequence: 0 }), 0, opts).producerId,
      7n,
    );
  });

  it('LogAppendTime batches give every record the batch maxTimestamp', () => {
    const buf = sample({ timestampType: TimestampType.LogAppendTime, maxTimestamp: 42 });
    const records = decodeRecords(buf);
    assert.deepEqual(
      records.map((r) => r.timestamp),
      [42, 42],
    );
  });

  it('defaults follow the producer: baseTimestamp from the first record, -1 epochs and sequence', () => {
    const buf = encodeRecordBatch({ records: [{ timestamp: 1000 }, { timestamp: 900 }, { timestamp: 1100 }] });
    const d = decodeRecordBatch(buf);
    assert.equal(d.baseTimestamp, 1000);
    assert.equal(d.maxTimestamp, 1100);
    assert.deepEqual(
      d.records.map((r) => [r.offset, r.timestamp]),
      [
        [0, 1000],
        [1, 900],
        [2, 1100],
      ],
    );
    assert.equal(d.partitionLeaderEpoch, -1);
    assert.equal(d.producerId, -1n);
    assert.equal(d.producerEpoch, -1);
    assert.equal(d.baseSequence, -1);
  });

  it('iterateRecords is lazy and yields the same records as decodeRecords', () => {
    const buf = sample({ compression: CompressionType.Zstd });
    const it = iterateRecords(buf);
    const first = it.next();
    assert.equal(first.done, false);
    assert.deepEqual(first.value, decodeRecords(buf)[0]);
    assert.equal([...it].length, 1);
    const bad = sample();
    bad[bad.length - 1] ^= 1;
    const lazy = iterateRecords(bad); // creating the iterator does not validate yet
    assert.throws(() => lazy.next(), CorruptRecordError);
  });

  it('verifyCrc: false reads a batch whose CRC no longer matches (trusted, already-validated bytes)', () => {
    const buf = sample();
    buf.writeUInt32BE(0, CRC_OFFSET);
    assert.equal(decodeRecords(buf, 0, { verifyCrc: false }).length, 2);
  });
});

describe('control records', () => {
  it('an end-transaction marker batch is transactional + control with one COMMIT/ABORT record', () => {
    for (const commit of [true, false]) {
      const buf = encodeEndTxnMarkerBatch({
        commit,
        producerId: 77n,
        producerEpoch: 3,
        coordinatorEpoch: 12,
        timestamp: 5000,
      });
      const d = decodeRecordBatch(buf);
      assert.equal(d.isControl, true);
      assert.equal(d.isTransactional, true);
      assert.equal(d.producerId, 77n);
      assert.equal(d.producerEpoch, 3);
      assert.equal(d.baseSequence, -1);
      assert.equal(d.recordCount, 1);
      const key = parseControlRecordKey(d.records[0]!.key);
      assert.equal(key.version, 0);
      assert.equal(key.type, commit ? ControlRecordType.Commit : ControlRecordType.Abort);
      assert.deepEqual(parseEndTxnMarkerValue(d.records[0]!.value), { version: 0, coordinatorEpoch: 12 });
      assert.deepEqual([...d.records[0]!.key!], [0, 0, 0, commit ? 1 : 0]);
      assert.deepEqual([...d.records[0]!.value!], [0, 0, 0, 0, 0, 12]);
    }
  });

  it('unknown types are UNKNOWN; short keys/values and negative versions are invalid', () => {
    assert.equal(parseControlRecordKey(Buffer.from([0, 0, 0, 9])).type, ControlRecordType.Unknown);
    assert.equal(parseControlRecordKey(Buffer.from([0, 1, 0, 1, 0xff])).type, ControlRecordType.Commit);
    assert.throws(() => parseControlRecordKey(Buffer.from([0, 0, 0])), InvalidRecordError);
    assert.throws(() => parseControlRecordKey(null), InvalidRecordError);
    assert.throws(() => parseControlRecordKey(Buffer.from([0xff, 0xff, 0, 0])), InvalidRecordError);
    assert.throws(() => parseEndTxnMarkerValue(Buffer.from([0, 0, 0, 0, 0])), InvalidRecordError);
    assert.deepEqual(parseEndTxnMarkerValue(Buffer.from([0, 1, 0, 0, 0, 3, 9, 9])), {
      version: 1,
      coordinatorEpoch: 3,
    });
  });
});
