/**
 * Sans-I/O response framing: socket chunks in, whole frames out. A frame is a 4-byte big-endian
 * size followed by that many bytes; chunks may split a frame anywhere (even inside the size) or
 * carry several frames. Frames are returned without the size prefix: as views of the chunk when
 * a frame lies within one (no copy); otherwise the frame's buffer is allocated as soon as its
 * size is known and each chunk is copied in as it arrives.
 *
 * Why copy as it arrives: a 1 MiB Fetch response comes as ~16 socket reads. Concatenating them
 * when the last one lands put a 1 MiB copy between the response's arrival and the next fetch
 * going out; copied piecewise, the work happens while the rest of the response is still on the
 * wire and the last read costs only its own bytes.
 */
export class FrameReader {
  /** Size-prefix bytes seen so far when a chunk ended inside the prefix (0..3). */
  private readonly head = Buffer.alloc(4);
  private headBytes = 0;
  /** The frame being filled, once its size is known and it spans chunks. */
  private frame: Buffer | undefined;
  private filled = 0;

  /** `maxFrameBytes` guards against a desynchronised stream claiming a huge frame. */
  constructor(private readonly maxFrameBytes: number) {}

  /** Adds a chunk; returns the frames it completed. Throws RangeError on an impossible size. */
  push(chunk: Buffer): Buffer[] {
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
        frames.push(chunk.subarray(at, at + size));
        at += size;
      } else {
        this.frame = Buffer.allocUnsafe(size);
        this.filled = 0;
      }
    }
    return frames;
  }

  /** Bytes received but not yet part of a whole frame. */
  get pendingBytes(): number {
    return this.frame !== undefined ? 4 + this.filled : this.headBytes;
  }
}
