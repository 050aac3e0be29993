import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, systemClock } from '../../../src/common/clock.js';

describe('ManualClock', () => {
  it('fires timers only when advanced past their due time, in due order', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 20);
    clock.setTimeout(() => fired.push('a'), 10);
    clock.setTimeout(() => fired.push('c'), 20);
    clock.advance(9);
    assert.deepEqual(fired, []);
    clock.advance(11);
    assert.deepEqual(fired, ['a', 'b', 'c']);
    assert.equal(clock.now(), 1020);
    assert.equal(clock.monotonic(), 20);
  });

  it('shows each timer the time it was due, and fires timers scheduled within the window', () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 5);
    }, 10);
    clock.advance(100);
    assert.deepEqual(seen, [10, 15]);
    assert.equal(clock.now(), 100);
  });

  it('cancelled timers never fire and intervals repeat until cancelled', () => {
    const clock = new ManualClock(0);
    let n = 0;
    const t = clock.setTimeout(() => n--, 5);
    t.cancel();
    const i = clock.setInterval(() => n++, 10);
    clock.advance(35);
    assert.equal(n, 3);
    i.cancel();
    clock.advance(100);
    assert.equal(n, 3);
    assert.equal(clock.pendingTimers, 0);
  });

  it('system clock timers fire and can be cancelled', async () => {
    // System clock timers are unref'd (they must not hold a process open), so keep the loop alive.
    const keepAlive = setInterval(() => {}, 1000);
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 1));
    let fired = false;
    systemClock.setTimeout(() => (fired = true), 1).cancel();
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 5));
    assert.equal(fired, false);
    clearInterval(keepAlive);
  });
});
