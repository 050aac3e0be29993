/**
 * Splits a TCP byte stream into Kafka frames: a 4-byte big-endian size, then that many bytes.
 * Owns the bytes received but not yet framed. Sans-I/O: chunks in, frames out.
 *
 * A frame wholly inside one received chunk is returned as a view of that chunk (no copy); a frame
 * spanning chunks is copied once into a fresh buffer. Callers that keep a frame (or a view into it)
 * beyond handling it should copy, or they pin the whole socket chunk in memory.
 * A size above `maxFrameBytes` (socket.request.max.bytes) or below zero throws ConnectionError as
 * soon as the 4 size bytes arrive, before any body is buffered — as Kafka does, the caller closes.
 */
import { ConnectionError } from '../../common/errors.js';

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete frame body (without its size prefix), or undefined if more bytes are needed. */
  next(): Buffer | undefined {
    if (this.buffered < 4) return undefined;
    if (this.chunks[0]!.length < 4) this.compact(4);
    const head = this.chunks[0]!;
    const size = head.readInt32BE(0);
    if (size < 0) throw new ConnectionError('ERR_FRAME_INVALID', `invalid frame size ${size}`);
    if (size > this.maxFrameBytes) {
      throw new ConnectionError('ERR_FRAME_TOO_LARGE', `frame of ${size} bytes exceeds socket.request.max.bytes (${this.maxFrameBytes})`);
    }
    if (this.buffered < 4 + size) return undefined;
    let frame: Buffer;
    if (head.length >= 4 + size) {
      frame = head.subarray(4, 4 + size);
      this.consumeHead(4 + size);
    } else {
      this.consumeHead(4);
      frame = Buffer.allocUnsafe(size);
      let filled = 0;
      while (filled < size) {
        const c = this.chunks[0]!;
        const n = Math.min(c.length, size - filled);
        c.copy(frame, filled, 0, n);
        filled += n;
        this.consumeHead(n);
      }
    }
    return frame;
  }

  private consumeHead(n: number): void {
    const head = this.chunks[0]!;
    if (n === head.length) this.chunks.shift();
    else this.chunks[0] = head.subarray(n);
    this.buffered -= n;
  }

  /** Makes the first chunk at least `n` bytes long (only ever needed for the 4 size bytes). */
  private compact(n: number): void {
    const parts: Buffer[] = [];
    let len = 0;
    while (len < n) {
      const c = this.chunks.shift()!;
      parts.push(c);
      len += c.length;
    }
    this.chunks.unshift(Buffer.concat(parts, len));
  }
}

/** Prefixes a response body with its 4-byte size; returns the buffers to write (no body copy). */
export function frameResponse(body: Buffer | readonly Buffer[]): { buffers: Buffer[]; size: number } {
  const parts = Buffer.isBuffer(body) ? [body] : [...body];
  let size = 0;
  for (const p of parts) size += p.length;
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeInt32BE(size, 0);
  return { buffers: [prefix, ...parts], size: size + 4 };
}
