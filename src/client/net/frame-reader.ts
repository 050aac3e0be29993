/**
 * Sans-I/O response framing: socket bytes in, whole frames out. A frame is a 4-byte big-endian
 * size followed by that many bytes; reads may split a frame anywhere (even inside the size) or
 * carry several frames. Frames are returned without the size prefix.
 *
 * Two ways in:
 *  - `push(chunk)`: bytes the caller owns. A frame within the chunk is returned as a view of it
 *    (no copy); a frame spanning chunks gets its buffer once its size is known, and each chunk
 *    is copied in as it arrives.
 *  - `readTarget()` / `received(n, target)`: for a socket reading into buffers we supply (Node's
 *    `onread`). While a frame is incomplete the target is the rest of that frame's buffer, so
 *    the kernel writes a large response straight into place: no 64 KiB chunk allocated per
 *    read, no copy, and reads as large as the socket has ready. Between frames the target is a
 *    reused scratch buffer, so frames found there are copied out (they are small: the first
 *    read of a big frame only starts it).
 */
const SCRATCH_BYTES = 64 * 1024;

export class FrameReader {
  /** Size-prefix bytes seen so far when a chunk ended inside the prefix (0..3). */
  private readonly head = Buffer.alloc(4);
  private headBytes = 0;
  /** The frame being filled, once its size is known and it spans reads. */
  private frame: Buffer | undefined;
  private filled = 0;
  private scratch: Buffer | undefined;

  /** `maxFrameBytes` guards against a desynchronised stream claiming a huge frame. */
  constructor(private readonly maxFrameBytes: number) {}

  /** Adds a chunk the caller owns; returns the frames it completed. Throws RangeError on an impossible size. */
  push(chunk: Buffer): Buffer[] {
    return this.consume(chunk, false);
  }

  /** Where the next socket read should land. */
  readTarget(): Buffer {
    if (this.frame !== undefined) return this.frame.subarray(this.filled);
    this.scratch ??= Buffer.allocUnsafeSlow(SCRATCH_BYTES);
    return this.scratch;
  }

  /** `n` bytes were read into `target` (the last `readTarget()`); returns the frames completed. */
  received(n: number, target: Buffer): Buffer[] {
    if (target === this.scratch) return this.consume(target.subarray(0, n), true);
    // a view of the frame in progress
    this.filled += n;
    const frame = this.frame!;
    if (this.filled < frame.length) return [];
    this.frame = undefined;
    return [frame];
  }

  /** Bytes received but not yet part of a whole frame. */
  get pendingBytes(): number {
    return this.frame !== undefined ? 4 + this.filled : this.headBytes;
  }

  /** `copy`: the chunk is reused after this call, so frames within it are copied out. */
  private consume(chunk: Buffer, copy: boolean): Buffer[] {
    const frames: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      const frame = this.frame;
      if (frame !== undefined) {
        const n = Math.min(frame.length - this.filled, chunk.length - at);
        chunk.copy(frame, this.filled, at, at + n);
        this.filled += n;
        at += n;
        if (this.filled === frame.length) {
          frames.push(frame);
          this.frame = undefined;
        }
        continue;
      }
      let size: number;
      if (this.headBytes === 0 && chunk.length - at >= 4) {
        size = chunk.readInt32BE(at);
        at += 4;
      } else {
        // the size prefix itself is split across chunks
        while (this.headBytes < 4 && at < chunk.length) this.head[this.headBytes++] = chunk[at++]!;
        if (this.headBytes < 4) break;
        this.headBytes = 0;
        size = this.head.readInt32BE(0);
      }
      if (size < 4 || size > this.maxFrameBytes) throw new RangeError(`response frame of ${size} bytes`);
      if (chunk.length - at >= size) {
        const view = chunk.subarray(at, at + size);
        frames.push(copy ? Buffer.from(view) : view);
        at += size;
      } else {
        this.frame = Buffer.allocUnsafe(size);
        this.filled = 0;
      }
    }
    return frames;
  }
}
