/**
 * Sans-I/O response framing: socket chunks in, whole frames out. A frame is a 4-byte big-endian
 * size followed by that many bytes; chunks may split a frame anywhere (even inside the size) or
 * carry several frames. Frames are returned without the size prefix, as views of the chunk when
 * a frame fits in one (no copy), or of one concatenation when it spans chunks.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** `maxFrameBytes` guards against a desynchronised stream claiming a huge frame. */
  constructor(private readonly maxFrameBytes: number) {}

  /** Adds a chunk; returns the frames it completed. Throws RangeError on an impossible size. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    while (this.buffered >= 4) {
      const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : this.coalesce();
      const size = head.readInt32BE(0);
      if (size < 4 || size > this.maxFrameBytes) throw new RangeError(`response frame of ${size} bytes`);
      if (this.buffered < size + 4) break;
      const all = this.chunks.length === 1 ? this.chunks[0]! : this.coalesce();
      frames.push(all.subarray(4, 4 + size));
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    return frames;
  }

  /** Bytes received but not yet part of a whole frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  private coalesce(): Buffer {
    const b = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [b];
    return b;
  }
}
