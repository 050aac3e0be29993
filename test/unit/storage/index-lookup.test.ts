/**
 * Property tests: index lookups (offset -> batch, timestamp -> offset) over random logs agree with
 * a linear scan of the batches that were appended; roll boundaries hold; reads span segments.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Log } from '../../../src/storage/log/log.js';
import { OffsetIndex } from '../../../src/storage/segment/offset-index.js';
import { TimeIndex } from '../../../src/storage/segment/time-index.js';
import { makeBatch, readAll, withTempDir } from '../../support/storage-batches.js';

const tp = { topic: 't', partition: 0 };

const batchSpec = fc.record({
  records: fc.integer({ min: 1, max: 5 }),
  valueBytes: fc.integer({ min: 0, max: 150 }),
  tsStep: fc.integer({ min: -50, max: 100 }),
});

describe('index lookups', () => {
  it('offset and time lookups agree with a linear scan over random logs', () =>
    fc.assert(
      fc.asyncProperty(
        fc.array(batchSpec, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1000, max: 4000 }),
        (specs, indexIntervalBytes, segmentBytes) =>
          withTempDir(async (dir) => {
            const log = await Log.open({
              dir,
              topicPartition: tp,
              config: { indexIntervalBytes, segmentBytes, segmentIndexBytes: 120 },
            });
            const batches: Array<{ base: number; last: number; maxTs: number; firstTs: number[] }> = [];
            let ts = 10_000;
            for (const s of specs) {
              const recs = Array.from({ length: s.records }, (_, i) => ({
                key: `k${i}`,
                value: 'x'.repeat(s.valueBytes),
                timestamp: ts + i * 3,
              }));
              const info = await log.append(makeBatch(recs));
              batches.push({
                base: info.firstOffset,
                last: info.lastOffset,
                maxTs: info.maxTimestamp,
                firstTs: recs.map((r) => r.timestamp),
              });
              ts = Math.max(0, ts + s.tsStep);
            }
            // Roll boundaries: every segment within segment.bytes unless it holds one oversized batch.
            for (const seg of log.segments) assert.ok(seg.size <= segmentBytes || seg.offsetIndex.entries === 0);
            for (let i = 1; i < log.segments.length; i++)
              assert.ok(log.segments[i]!.baseOffset > log.segments[i - 1]!.baseOffset);
            // offset -> batch containing it
            for (let o = 0; o < log.logEndOffset; o++) {
              const expected = batches.find((b) => b.last >= o)!;
              const r = await log.read(o, { maxBytes: 1 });
              assert.equal(r.firstOffset, expected.base, `offset ${o}`);
            }
            // timestamp -> first record with timestamp >= t (linear scan over all records)
            const all = batches.flatMap((b) =>
              b.firstTs.map((t, i) => ({ offset: b.base + i, ts: t, batchMax: b.maxTs })),
            );
            for (const target of [0, 10_000, 10_050, 10_333, 11_000, 99_999]) {
              const firstBatch = batches.find((b) => b.maxTs >= target);
              const got = await log.fetchOffsetByTimestamp(target);
              if (firstBatch === undefined) {
                assert.equal(got, null);
                continue;
              }
              const rec = all.find((r) => r.offset >= firstBatch.base && r.ts >= target)!;
              assert.equal(got?.offset, rec.offset, `timestamp ${target}`);
            }
            // reads that span segments return everything once, in order
            assert.deepEqual(
              (await readAll(log)).map((r) => r.offset),
              Array.from({ length: log.logEndOffset }, (_, i) => i),
            );
            await log.close();
          }),
      ),
      { numRuns: 25 },
    ));

  it('OffsetIndex.lookup matches a linear scan', () =>
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { maxLength: 200 }),
        fc.integer({ min: -5, max: 10_100 }),
        (rels, target) => {
          const sorted = [...rels].sort((a, b) => a - b);
          const idx = OffsetIndex.empty('/nonexistent', 1000, 8 * 1000);
          for (const [i, r] of sorted.entries()) idx.append(1000 + r, (i + 1) * 10);
          const expected = sorted.filter((r) => 1000 + r <= 1000 + target).at(-1);
          const got = idx.lookup(1000 + target);
          if (expected === undefined) assert.deepEqual(got, { offset: 1000, position: 0 });
          else assert.deepEqual(got, { offset: 1000 + expected, position: (sorted.indexOf(expected) + 1) * 10 });
        },
      ),
    ));

  it('TimeIndex.lookup matches a linear scan and reserves the last slot', () =>
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 100 }),
        fc.integer({ min: 0, max: 3000 }),
        (steps, target) => {
          const idx = TimeIndex.empty('/nonexistent', 0, 12 * 1000);
          const entries: Array<{ timestamp: number; offset: number }> = [];
          let ts = 0;
          steps.forEach((s, i) => {
            ts += s;
            idx.maybeAppend(ts, i);
            if (entries.length === 0 || ts > entries.at(-1)!.timestamp) entries.push({ timestamp: ts, offset: i });
          });
          const expected = entries.filter((e) => e.timestamp <= target).at(-1) ?? { timestamp: -1, offset: 0 };
          assert.deepEqual(idx.lookup(target), expected);
        },
      ),
    ));
});
