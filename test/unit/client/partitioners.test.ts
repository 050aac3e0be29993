import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  murmur2,
  murmur2Partition,
  roundRobinPartitioner,
  StickyPartitionCache,
  toPositive,
} from '../../../src/client/producer/partitioners.js';

describe('murmur2 partitioner', () => {
  it('matches the Java client Utils.murmur2 test vectors', () => {
    const cases: Array<[string | number[], number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      [[0x61, 0x62, 0x63], 479470107],
    ];
    for (const [input, expected] of cases) {
      const bytes = typeof input === 'string' ? Buffer.from(input) : Buffer.from(input);
      assert.equal(murmur2(bytes), expected, String(input));
    }
  });

  it('partitions are toPositive(murmur2) % n and always in range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 1000 }), (key, n) => {
        const p = murmur2Partition(key, n);
        return p >= 0 && p < n && p === toPositive(murmur2(key)) % n;
      }),
    );
  });
});

describe('keyless partitioners', () => {
  it('sticky stays on one available partition until its batch closes, then moves elsewhere', () => {
    const s = new StickyPartitionCache();
    const all = [0, 1, 2, 3];
    const first = s.partition('t', all, all);
    assert.equal(s.partition('t', all, all), first);
    assert.equal(s.onNewBatch('t', first, all, all), first, 'an unused partition does not switch');
    s.markUsed('t');
    const next = s.onNewBatch('t', first, all, all);
    assert.notEqual(next, first);
    assert.equal(s.partition('t', all, all), next);
  });

  it('sticky avoids unavailable partitions', () => {
    const s = new StickyPartitionCache();
    for (let i = 0; i < 50; i++) {
      const p = s.partition(`t${i}`, [2], [0, 1, 2, 3]);
      assert.equal(p, 2);
    }
  });

  it('round-robin cycles over available partitions', () => {
    const rr = roundRobinPartitioner();
    const got = Array.from({ length: 6 }, () =>
      rr({ topic: 't', key: null, value: null, allPartitions: [0, 1, 2], availablePartitions: [0, 2] }),
    );
    assert.deepEqual(got, [0, 2, 0, 2, 0, 2]);
  });
});
