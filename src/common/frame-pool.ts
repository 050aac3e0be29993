/**
 * FramePool: reusable buffers for large frames — Produce requests of hundreds of KiB to a few MiB
 * as they arrive, and the record bytes a Fetch reads from a segment as they leave — so that steady
 * traffic stops allocating a fresh ArrayBuffer per request.
 *
 * Why: V8 runs a full mark-compact for every few tens of MB of external (ArrayBuffer) memory
 * allocated, however small the JS heap. At 1 MiB per Produce that was a full GC every ~150 ms,
 * 15-18% of broker CPU under the blaster; a consumer reading 8 MiB fetches at 500 MB/s caused
 * ~20 full GCs a second. Reusing the buffers removes nearly all of them.
 *
 * Ownership contract for request frames (the reason this is safe): a pooled frame goes back to the
 * pool only when (1) the layer that consumed its bytes said so with `allowFrameReuse` (the replica
 * manager, once every append that used the bytes has settled in a log that does not keep them),
 * (2) nothing vetoed with `forbidFrameReuse` (a MemoryLog keeps appended buffers for ever), and
 * (3) the request's handler has completed. Frames nobody vouches for are simply left to the GC.
 * Code that keeps request bytes beyond its response must copy them — the same rule as before
 * pooling, when keeping a view pinned the socket chunk.
 *
 * Read buffers (`releaseWhenWritten`): the segment reader hands out bytes nobody else references;
 * the connection that writes them as part of a response returns them with `releaseWritten` once
 * the socket has taken them. A read whose bytes are dropped or copied instead is left to the GC.
 *
 * Buffers come in size classes (a quarter power of two apart, so at most 25% slack) and the free
 * lists are bounded by `maxPooledBytes`; frames below `minFrameBytes` are not pooled (Node's own
 * slab allocator serves those). Event-loop only.
 */

/** Frames smaller than this are allocated normally. */
export const POOL_MIN_FRAME_BYTES = 128 * 1024;
/** Frames larger than this are allocated normally (rare; not worth holding idle). */
export const POOL_MAX_FRAME_BYTES = 16 * 1024 * 1024;

type Verdict = 'pending' | 'allowed' | 'forbidden';

/** Frames handed out by any pool, by their backing ArrayBuffer, with the reuse verdict so far. */
const leases = new WeakMap<ArrayBufferLike, { backing: Buffer; verdict: Verdict; pool: FramePool; onWrite: boolean }>();

/** The bytes of `view` (a frame or a view into one) are no longer referenced once its request completes. */
export function allowFrameReuse(view: Buffer): void {
  const lease = leases.get(view.buffer);
  if (lease !== undefined && lease.verdict === 'pending') lease.verdict = 'allowed';
}

/** Someone keeps the bytes of `view`: its frame must never be reused. Wins over allowFrameReuse. */
export function forbidFrameReuse(view: Buffer): void {
  const lease = leases.get(view.buffer);
  if (lease !== undefined) lease.verdict = 'forbidden';
}

/**
 * The bytes of `view` (a pooled buffer or a view into one) go back to their pool once a connection
 * has written them (`releaseWritten`); the caller gives up every other reference to them.
 */
export function releaseWhenWritten(view: Buffer): void {
  const lease = leases.get(view.buffer);
  if (lease === undefined || lease.verdict === 'forbidden') return;
  lease.verdict = 'allowed';
  lease.onWrite = true;
}

/** Whether `view` is a buffer that returns to its pool once written (see releaseWhenWritten). */
export function isReleasedWhenWritten(view: Buffer): boolean {
  return leases.get(view.buffer)?.onWrite === true;
}

/** A connection has written `view` to its socket: its buffer goes back to the pool it came from. */
export function releaseWritten(view: Buffer): void {
  const lease = leases.get(view.buffer);
  if (lease?.onWrite === true) lease.pool.release(view);
}

/** Size class of a frame: rounded up to a quarter of its power of two. */
export function frameClassBytes(size: number): number {
  const step = 2 ** Math.max(0, Math.floor(Math.log2(size)) - 2);
  return Math.ceil(size / step) * step;
}

export class FramePool {
  private readonly free = new Map<number, Buffer[]>();
  private pooledBytes = 0;

  constructor(private readonly maxPooledBytes = 32 * 1024 * 1024) {}

  /** Bytes held in free lists (for tests and metrics). */
  get idleBytes(): number {
    return this.pooledBytes;
  }

  /** A buffer of exactly `size` bytes (contents undefined). */
  acquire(size: number): Buffer {
    if (size < POOL_MIN_FRAME_BYTES || size > POOL_MAX_FRAME_BYTES) return Buffer.allocUnsafe(size);
    const cls = frameClassBytes(size);
    const list = this.free.get(cls);
    let backing = list?.pop();
    if (backing !== undefined) this.pooledBytes -= cls;
    // allocUnsafeSlow: its own ArrayBuffer, never a slice of Node's shared slab.
    backing ??= Buffer.allocUnsafeSlow(cls);
    leases.set(backing.buffer, { backing, verdict: 'pending', pool: this, onWrite: false });
    return backing.subarray(0, size);
  }

  /**
   * The request that `frame` carried has completed. Returns the frame's buffer to the pool if its
   * consumer allowed reuse and nobody forbade it; otherwise leaves it to the GC. Returns whether
   * it was pooled.
   */
  release(frame: Buffer): boolean {
    const lease = leases.get(frame.buffer);
    if (lease === undefined || lease.pool !== this) return false;
    leases.delete(frame.buffer);
    if (lease.verdict !== 'allowed') return false;
    const cls = lease.backing.length;
    if (this.pooledBytes + cls > this.maxPooledBytes) return false;
    let list = this.free.get(cls);
    if (list === undefined) {
      list = [];
      this.free.set(cls, list);
    }
    list.push(lease.backing);
    this.pooledBytes += cls;
    return true;
  }
}
