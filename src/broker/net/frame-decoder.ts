/**
 * Splits a TCP byte stream into Kafka frames: a 4-byte big-endian size, then that many bytes.
 * Sans-I/O: bytes in, frames out. Owns the frame being assembled and the frames framed but not
 * yet taken.
 *
 * Every frame is its own buffer of exactly its size, allocated once its size is known; bytes are
 * copied into it at most once and the caller's chunk is never referenced afterwards, so a caller
 * may read the socket into one reusable buffer. Why: handlers hand record batches to storage,
 * which keeps them until written (group commit) or for ever (MemoryLog); a frame that is a view of
 * a socket chunk pins the whole chunk, and 16 fresh 64 KiB chunks per 1 MiB Produce doubled the
 * external memory that drives V8's full GCs.
 * For a large frame, `readTarget()` offers the unfilled tail of the frame itself, so the socket can
 * read straight into it (net.Socket `onread`) and the body is never copied.
 *
 * A size above `maxFrameBytes` (socket.request.max.bytes) or below zero is detected as soon as the
 * 4 size bytes arrive, before any body is buffered; `next()` throws ConnectionError once the frames
 * before it are taken — as Kafka does, the caller closes.
 */
import { ConnectionError } from '../../common/errors.js';

/** Below this many missing bytes a frame is filled from the shared read buffer (batching reads). */
const DIRECT_READ_MIN_BYTES = 16 * 1024;

export class FrameDecoder {
  private readonly ready: Buffer[] = [];
  private readyHead = 0;
  /** The frame being assembled, and how many of its bytes have arrived. */
  private partial: Buffer | undefined;
  private filled = 0;
  /** Size bytes seen so far of the next frame (0-4). */
  private readonly sizeBytes = Buffer.alloc(4);
  private sizeFilled = 0;
  private error: ConnectionError | undefined;
  private buffered = 0;

  /** `allocate` provides each frame's buffer (a FramePool's acquire, for reuse); default a fresh one. */
  constructor(
    private readonly maxFrameBytes: number,
    private readonly allocate: (size: number) => Buffer = Buffer.allocUnsafe,
  ) {}

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Copies `chunk` into frames; the chunk is not referenced after this returns. */
  push(chunk: Buffer): void {
    let pos = 0;
    const len = chunk.length;
    while (pos < len && this.error === undefined) {
      if (this.partial !== undefined) {
        const n = Math.min(len - pos, this.partial.length - this.filled);
        chunk.copy(this.partial, this.filled, pos, pos + n);
        pos += n;
        this.bodyArrived(n);
        continue;
      }
      if (this.sizeFilled === 0 && len - pos >= 4) {
        this.startFrame(chunk.readInt32BE(pos));
        pos += 4;
      } else {
        this.sizeBytes[this.sizeFilled++] = chunk[pos++]!;
        this.buffered++;
        if (this.sizeFilled === 4) {
          this.buffered -= 4;
          this.sizeFilled = 0;
          this.startFrame(this.sizeBytes.readInt32BE(0));
        }
      }
    }
  }

  /**
   * Where the socket may read next without a copy: the unfilled tail of a large frame being
   * assembled, or undefined (read into a shared buffer and `push()` it). After reading n bytes
   * into it, call `wrote(n)`.
   */
  readTarget(): Buffer | undefined {
    const p = this.partial;
    if (p === undefined || p.length - this.filled < DIRECT_READ_MIN_BYTES) return undefined;
    return p.subarray(this.filled);
  }

  /** `n` bytes were read into the buffer `readTarget()` returned. */
  wrote(n: number): void {
    this.bodyArrived(n);
  }

  /** The next complete frame body (without its size prefix), or undefined if more bytes are needed. */
  next(): Buffer | undefined {
    if (this.readyHead < this.ready.length) {
      const f = this.ready[this.readyHead]!;
      this.ready[this.readyHead++] = EMPTY;
      if (this.readyHead === this.ready.length) {
        this.ready.length = 0;
        this.readyHead = 0;
      }
      this.buffered -= f.length;
      return f;
    }
    if (this.error !== undefined) throw this.error;
    return undefined;
  }

  private startFrame(size: number): void {
    if (size < 0) {
      this.error = new ConnectionError('ERR_FRAME_INVALID', `invalid frame size ${size}`);
      return;
    }
    if (size > this.maxFrameBytes) {
      this.error = new ConnectionError('ERR_FRAME_TOO_LARGE', `frame of ${size} bytes exceeds socket.request.max.bytes (${this.maxFrameBytes})`);
      return;
    }
    if (size === 0) {
      this.ready.push(EMPTY);
      return;
    }
    this.partial = this.allocate(size);
    this.filled = 0;
  }

  private bodyArrived(n: number): void {
    this.filled += n;
    this.buffered += n;
    const p = this.partial!;
    if (this.filled === p.length) {
      this.ready.push(p);
      this.partial = undefined;
      this.filled = 0;
    }
  }
}

const EMPTY = Buffer.alloc(0);

/** Prefixes a response body with its 4-byte size; returns the buffers to write (no body copy). */
export function frameResponse(body: Buffer | readonly Buffer[]): { buffers: Buffer[]; size: number } {
  const parts = Buffer.isBuffer(body) ? [body] : [...body];
  let size = 0;
  for (const p of parts) size += p.length;
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeInt32BE(size, 0);
  return { buffers: [prefix, ...parts], size: size + 4 };
}
