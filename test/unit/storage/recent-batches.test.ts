import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type RecentBatch, RecentBatches } from '../../../src/storage/segment/recent-batches.js';

describe('RecentBatches', () => {
  it('finds the batch a file scan would find whenever the offset is within the ring, else defers to the file', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gap: fc.nat({ max: 3 }),
            records: fc.integer({ min: 1, max: 5 }),
            size: fc.integer({ min: 61, max: 500 }),
          }),
          { maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 8 }),
        fc.nat({ max: 200 }),
        (shapes, capacity, offset) => {
          const all: RecentBatch[] = [];
          let next = 0;
          let position = 0;
          const ring = new RecentBatches(capacity);
          for (const s of shapes) {
            const b = { baseOffset: next + s.gap, lastOffset: next + s.gap + s.records - 1, position, size: s.size };
            all.push(b);
            ring.add(b);
            next = b.lastOffset + 1;
            position += s.size;
          }
          const scan = all.find((b) => b.lastOffset >= offset) ?? null;
          const got = ring.find(offset);
          const kept = all.slice(-capacity);
          if (kept.length === 0 || offset < kept[0]!.baseOffset) assert.equal(got, undefined);
          else assert.deepEqual(got, scan);
        },
      ),
    );
  });

  it('defers every lookup to the file after clear()', () => {
    const ring = new RecentBatches(4);
    ring.add({ baseOffset: 0, lastOffset: 9, position: 0, size: 100 });
    assert.equal(ring.find(5)?.position, 0);
    ring.clear();
    assert.equal(ring.find(5), undefined);
  });
});
