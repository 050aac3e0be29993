import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allowFrameReuse,
  FramePool,
  forbidFrameReuse,
  frameClassBytes,
  isReleasedWhenWritten,
  POOL_MIN_FRAME_BYTES,
  releaseWhenWritten,
  releaseWritten,
} from '../../../src/common/frame-pool.js';

describe('FramePool', () => {
  it('reuses a frame only after its consumer allowed it and the request completed', () => {
    const pool = new FramePool();
    const a = pool.acquire(300_000);
    assert.equal(a.length, 300_000);
    // Completed without a verdict: left to the GC, never handed out again.
    assert.equal(pool.release(a), false);
    const b = pool.acquire(300_000);
    assert.notEqual(b.buffer, a.buffer);
    allowFrameReuse(b.subarray(1000, 2000));
    assert.equal(pool.release(b), true);
    const c = pool.acquire(290_000);
    assert.equal(c.buffer, b.buffer, 'same size class comes back');
    assert.equal(c.length, 290_000);
  });

  it('never reuses a frame someone keeps, whatever the order of verdicts', () => {
    const pool = new FramePool();
    const a = pool.acquire(500_000);
    allowFrameReuse(a);
    forbidFrameReuse(a.subarray(10));
    allowFrameReuse(a);
    assert.equal(pool.release(a), false);
    assert.notEqual(pool.acquire(500_000).buffer, a.buffer);
  });

  it('allocates small frames normally and bounds what it keeps idle', () => {
    const pool = new FramePool(1024 * 1024);
    const small = pool.acquire(POOL_MIN_FRAME_BYTES - 1);
    allowFrameReuse(small);
    assert.equal(pool.release(small), false);
    const frames = [pool.acquire(600_000), pool.acquire(600_000)];
    for (const f of frames) allowFrameReuse(f);
    assert.equal(pool.release(frames[0]!), true);
    assert.equal(pool.release(frames[1]!), false, 'over maxPooledBytes');
    assert.ok(pool.idleBytes <= 1024 * 1024);
  });

  it('size classes leave at most 25% slack', () => {
    for (const size of [131_072, 131_073, 200_000, 1_059_818, 4_000_000]) {
      const cls = frameClassBytes(size);
      assert.ok(cls >= size && cls <= size * 1.25, `${size} -> ${cls}`);
    }
  });

  it('returns a read buffer to its own pool once a connection has written it', () => {
    const reads = new FramePool();
    const frames = new FramePool();
    const buf = reads.acquire(2_000_000);
    const view = buf.subarray(0, 1_500_000);
    assert.equal(isReleasedWhenWritten(view), false, 'not before its reader gave it up');
    releaseWhenWritten(buf);
    assert.equal(isReleasedWhenWritten(view), true);
    // Another pool never takes it, even when asked.
    assert.equal(frames.release(view), false);
    releaseWritten(view);
    assert.equal(reads.idleBytes, frameClassBytes(2_000_000));
    assert.equal(reads.acquire(1_900_000).buffer, buf.buffer, 'handed out again');
    assert.equal(frames.idleBytes, 0);
  });

  it('never returns a written buffer someone forbade, nor an unpooled one', () => {
    const reads = new FramePool();
    const kept = reads.acquire(300_000);
    forbidFrameReuse(kept);
    releaseWhenWritten(kept);
    assert.equal(isReleasedWhenWritten(kept), false);
    releaseWritten(kept);
    const small = reads.acquire(POOL_MIN_FRAME_BYTES - 1);
    releaseWhenWritten(small);
    assert.equal(isReleasedWhenWritten(small), false, 'small reads are not pooled');
    releaseWritten(small);
    assert.equal(reads.idleBytes, 0);
  });
});
