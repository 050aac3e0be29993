import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FetchSession } from '../../../src/client/consumer/fetch-session.js';

const p = (partition: number, position: number) => ({ topic: 't', partition, position });

describe('fetch session (KIP-227)', () => {
  it('sends everything at epoch 0, then only changed partitions, and forgets dropped ones', () => {
    const s = new FetchSession();
    const first = s.next([p(0, 0), p(1, 0), p(2, 0)]);
    assert.deepEqual([first.sessionId, first.sessionEpoch, first.send.length], [0, 0, 3]);
    first.commit(42);
    const second = s.next([p(0, 5), p(1, 0), p(2, 0)]);
    assert.deepEqual([second.sessionId, second.sessionEpoch], [42, 1]);
    assert.deepEqual(
      second.send.map((x) => x.partition),
      [0],
      'only the partition whose offset moved',
    );
    assert.deepEqual(second.forgotten, []);
    second.commit(42);
    const third = s.next([p(0, 5), p(1, 7)]);
    assert.equal(third.sessionEpoch, 2);
    assert.deepEqual(
      third.send.map((x) => x.partition),
      [1],
    );
    assert.deepEqual(third.forgotten, [{ topic: 't', partitions: [2] }]);
    third.commit(42);
    const fourth = s.next([p(0, 5), p(1, 7), p(2, 3)]);
    assert.deepEqual(
      fourth.send.map((x) => x.partition),
      [2],
      'a forgotten partition comes back in full',
    );
  });

  it('resends a partition whose max bytes changed, as the broker session keeps the old value', () => {
    const s = new FetchSession();
    s.next([
      { ...p(0, 0), maxBytes: 8 },
      { ...p(1, 0), maxBytes: 8 },
    ]).commit(42);
    const next = s.next([
      { ...p(0, 0), maxBytes: 4 },
      { ...p(1, 0), maxBytes: 8 },
    ]);
    assert.deepEqual(
      next.send.map((x) => x.partition),
      [0],
    );
  });

  it('an uncommitted request (failure) leaves the epoch; reset starts over with a full request', () => {
    const s = new FetchSession();
    s.next([p(0, 0)]).commit(7);
    s.next([p(0, 1)]); // lost: never committed
    const again = s.next([p(0, 1)]);
    assert.deepEqual([again.sessionId, again.sessionEpoch, again.send.length], [7, 1, 1]);
    s.reset();
    const full = s.next([p(0, 1)]);
    assert.deepEqual([full.sessionId, full.sessionEpoch], [0, 0]);
  });

  it('stays sessionless when the broker answers session id 0', () => {
    const s = new FetchSession();
    s.next([p(0, 0), p(1, 0)]).commit(0);
    const next = s.next([p(0, 0), p(1, 0)]);
    assert.deepEqual([next.sessionId, next.sessionEpoch, next.send.length], [0, 0, 2]);
  });
});
