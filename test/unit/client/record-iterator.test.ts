// RecordIterator: the for-await path's bookkeeping without a broker — what counts as processed,
// what a break rewinds, what a revoke drops, and that overlapping next() calls stay in order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TopicPartition } from '../../../src/client/consumer/protocol.js';
import { RecordIterator, type RecordSource } from '../../../src/client/consumer/record-iterator.js';
import { tpKey } from '../../../src/client/consumer/protocol.js';

type R = TopicPartition & { offset: number };
type Batch = TopicPartition & { records: R[] };

const batch = (partition: number, from: number, n: number): Batch => ({
  topic: 't',
  partition,
  records: Array.from({ length: n }, (_, i) => ({ topic: 't', partition, offset: from + i })),
});

function source(polls: Batch[][]) {
  const assigned = new Set([tpKey('t', 0), tpKey('t', 1)]);
  const processed = new Map<string, number>();
  const rewound: Array<{ partition: number; offset: number }> = [];
  let active = true;
  const src: RecordSource<R> = {
    poll: async () => {
      const next = polls.shift();
      if (next === undefined) active = false;
      return next ?? [];
    },
    active: () => active,
    assigned,
    touch: () => {},
    processed: (k, n) => processed.set(k, n),
    rewind: (pending, index) =>
      pending.forEach((b, i) => {
        const from = i === 0 ? index : 0;
        if (from < b.records.length) rewound.push({ partition: b.partition, offset: b.records[from]!.offset });
      }),
  };
  return { src, assigned, processed, rewound };
}

describe('record iterator', () => {
  it('a record is processed when the next is asked for; the loop ends when the source does', async () => {
    const { src, processed } = source([[batch(0, 0, 2)], [batch(0, 2, 1)]]);
    const seen: number[] = [];
    for await (const r of new RecordIterator(src)) {
      seen.push(r.offset);
      if (r.offset === 0) assert.equal(processed.get(tpKey('t', 0)), undefined);
      if (r.offset === 1) assert.equal(processed.get(tpKey('t', 0)), 1);
    }
    assert.deepEqual(seen, [0, 1, 2]);
    assert.equal(processed.get(tpKey('t', 0)), 3);
  });

  it('break counts the record in hand and rewinds to the first record not handed out', async () => {
    const { src, processed, rewound } = source([[batch(0, 0, 3), batch(1, 10, 2)]]);
    for await (const r of new RecordIterator(src)) if (r.offset === 1) break;
    assert.equal(processed.get(tpKey('t', 0)), 2);
    assert.deepEqual(rewound, [
      { partition: 0, offset: 2 },
      { partition: 1, offset: 10 },
    ]);
  });

  it('drops the rest of a batch whose partition was revoked while a record was in hand', async () => {
    const { src, assigned } = source([[batch(0, 0, 3), batch(1, 10, 1)]]);
    const seen: number[] = [];
    for await (const r of new RecordIterator(src)) {
      seen.push(r.offset);
      if (r.offset === 0) assigned.delete(tpKey('t', 0));
    }
    assert.deepEqual(seen, [0, 10]);
  });

  it('overlapping next() calls resolve in order, and return() waits for them', async () => {
    const { src } = source([[batch(0, 0, 1)], [batch(0, 1, 1)]]);
    const it = new RecordIterator(src);
    const [a, b, end] = await Promise.all([it.next(), it.next(), it.return()]);
    assert.deepEqual([a.value?.offset, b.value?.offset, end.done], [0, 1, true]);
    assert.equal((await it.next()).done, true);
  });

  it('a poll error ends the iteration with that error', async () => {
    const it = new RecordIterator<R>({
      ...source([]).src,
      active: () => true,
      poll: async () => {
        throw new Error('boom');
      },
    });
    await assert.rejects(it.next(), /boom/);
    assert.equal((await it.next()).done, true);
  });
});
