/**
 * One client connection. Owns its socket, its frame decoder and the queue of requests whose
 * responses are not yet written.
 *
 * Concurrency contract: requests are handed to the handler as soon as they are framed (pipelining,
 * up to `maxInFlight` at once) and may complete in any order, but responses are written strictly in
 * request order — Kafka clients match responses to requests by position as well as correlation id.
 * A request with a null response (Produce acks=0) holds its place in the queue and writes nothing.
 * Backpressure: reading pauses while `maxInFlight` requests are outstanding or while the socket's
 * write buffer is above its high-water mark (write() returned false) until 'drain'. Ready responses
 * are written under cork() until the next tick, so a burst goes out in one writev.
 * Any framing error, handler rejection or socket error closes this connection only.
 */
import { channel } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { Clock } from '../../common/clock.js';
import { ConnectionError, errorCode } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { FrameDecoder, frameResponse } from './frame-decoder.js';
import { type FramePool, isReleasedWhenWritten, releaseWritten } from '../../common/frame-pool.js';
import { type ReadSink, sharedReadBuffer } from './user-buffer-socket.js';

export type ResponseBody = Buffer | readonly Buffer[] | null;

/** What a handler knows about the connection a request arrived on. */
export interface ConnectionContext {
  readonly id: number;
  readonly listenerName: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Per-connection state handlers may keep (e.g. the ApiVersions client software name). */
  readonly attributes: Map<string, unknown>;
  /** Closes the connection (used by handlers for protocol violations). */
  close(reason: string): void;
}

/**
 * Handles one request frame (the bytes after the size prefix). Returns the response body without
 * its size prefix (a Buffer, or several to be written back to back), or null for no response.
 * May return synchronously. Rejecting closes the connection.
 */
export type RequestHandler = (frame: Buffer, ctx: ConnectionContext) => ResponseBody | Promise<ResponseBody>;

export interface ConnectionOptions {
  id: number;
  listenerName: string;
  maxFrameBytes: number;
  maxInFlight: number;
  clock: Clock;
  logger: Logger;
  handler: RequestHandler;
  onClose: (conn: Connection) => void;
  /** The socket delivers reads through this connection's ReadSink methods, not 'data' events. */
  readsViaSink?: boolean;
  /** Large frames come from here and go back when their request completes (see FramePool's contract). */
  framePool?: FramePool;
}

/**
 * Published when a connection stops or resumes reading: { connectionId, paused, reason }.
 * Lets tests and operators observe backpressure without timing guesses.
 */
export const backpressureChannel = channel('vltava:net:backpressure');

interface Slot {
  done: boolean;
  body: ResponseBody;
  /** The request frame, while it may still go back to the frame pool. */
  frame: Buffer | undefined;
}

export class Connection implements ConnectionContext, ReadSink {
  readonly id: number;
  readonly listenerName: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly attributes = new Map<string, unknown>();
  /** Monotonic ms of the last byte read or written; drives idle reaping. */
  lastActiveMs: number;
  private readonly decoder: FrameDecoder;
  private readonly slots: Slot[] = [];
  private writeBlocked = false;
  private readPaused = false;
  private closing = false;
  private closed = false;
  private pumping = false;
  /** Responses are being collected under cork() until the next tick. */
  private corked = false;
  /** The frame tail last offered as a read buffer (reads into it need no copy). */
  private readTarget: Buffer | undefined;
  private readonly closedPromise: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly opts: ConnectionOptions,
  ) {
    this.id = opts.id;
    this.listenerName = opts.listenerName;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    const pool = opts.framePool;
    this.decoder = new FrameDecoder(opts.maxFrameBytes, pool ? (size) => pool.acquire(size) : undefined);
    this.lastActiveMs = opts.clock.monotonic();
    socket.setNoDelay(true);
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    if (opts.readsViaSink !== true) socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.writeBlocked = false;
      this.lastActiveMs = this.opts.clock.monotonic();
      this.updateReading();
    });
    socket.on('end', () => this.close('peer closed'));
    socket.on('error', (err) => {
      this.opts.logger.debug({ conn: this.id, err: errorCode(err) ?? err.message }, 'socket error');
      this.destroy();
    });
    socket.on('close', () => {
      this.closed = true;
      this.opts.onClose(this);
    });
  }

  /** Requests handed to the handler whose responses are not yet written. */
  get inFlight(): number {
    return this.slots.length;
  }

  get isReadPaused(): boolean {
    return this.readPaused;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves once the socket is fully closed. */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  /** ReadSink: where the next socket read should land. */
  readBuffer(): Buffer {
    this.readTarget = this.closing ? undefined : this.decoder.readTarget();
    return this.readTarget ?? sharedReadBuffer();
  }

  /** ReadSink: `bytes` were read into `buf` (a frame tail from readBuffer, or the shared scratch). */
  onRead(bytes: number, buf: Buffer): void {
    if (this.closing) return;
    this.lastActiveMs = this.opts.clock.monotonic();
    if (buf === this.readTarget) this.decoder.wrote(bytes);
    else this.decoder.push(buf.subarray(0, bytes));
    this.readTarget = undefined;
    this.pump();
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.lastActiveMs = this.opts.clock.monotonic();
    this.decoder.push(chunk);
    this.pump();
  }

  /** Dispatches framed requests while under the in-flight limit. */
  private pump(): void {
    // A synchronous handler completes inside dispatch, which flushes and would re-enter here.
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.pumpFrames();
    } finally {
      this.pumping = false;
    }
    this.updateReading();
  }

  private pumpFrames(): void {
    while (!this.closing && !this.writeBlocked && this.slots.length < this.opts.maxInFlight) {
      let frame: Buffer | undefined;
      try {
        frame = this.decoder.next();
      } catch (err) {
        const code = errorCode(err);
        this.opts.logger.warn(
          { conn: this.id, remote: `${this.remoteAddress}:${this.remotePort}`, code },
          (err as Error).message,
        );
        this.destroy();
        return;
      }
      if (frame === undefined) break;
      this.dispatch(frame);
    }
  }

  private dispatch(frame: Buffer): void {
    const slot: Slot = { done: false, body: null, frame: this.opts.framePool ? frame : undefined };
    this.slots.push(slot);
    let result: ResponseBody | Promise<ResponseBody>;
    try {
      result = this.opts.handler(frame, this);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (result !== null && typeof (result as Promise<ResponseBody>).then === 'function') {
      (result as Promise<ResponseBody>).then(
        (body) => this.complete(slot, body),
        (err) => this.fail(err),
      );
    } else {
      this.complete(slot, result as ResponseBody);
    }
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    this.opts.logger.warn({ conn: this.id, err }, 'request failed; closing connection');
    this.destroy();
  }

  private complete(slot: Slot, body: ResponseBody): void {
    slot.done = true;
    slot.body = body;
    // The handler is done with the request; the pool decides whether its consumer let go of it.
    if (slot.frame !== undefined) {
      this.opts.framePool!.release(slot.frame);
      slot.frame = undefined;
    }
    if (this.closed) return;
    if (this.slots[0] !== slot) return; // an earlier response is still pending; it will flush us
    this.flush();
    // Room may have opened under the in-flight limit.
    if (!this.closing) this.pump();
    else if (this.slots.length === 0) this.socket.end();
  }

  /** Writes every ready response at the head of the queue, in order, in one corked burst. */
  private flush(): void {
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!;
      if (slot.body === null) continue;
      if (!this.corked) {
        // Uncorked after the current microtasks: every response completed by the same event (one
        // group commit, one socket read of pipelined requests) leaves in one writev, not one each.
        this.socket.cork();
        this.corked = true;
        process.nextTick(this.uncork);
      }
      const { buffers } = frameResponse(slot.body);
      for (const b of buffers) {
        // Pooled read buffers (a fetch's record bytes) go back once the socket has taken them.
        const ok = isReleasedWhenWritten(b)
          ? this.socket.write(b, (err) => err || releaseWritten(b))
          : this.socket.write(b);
        if (!ok) this.writeBlocked = true;
      }
      this.lastActiveMs = this.opts.clock.monotonic();
    }
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  private updateReading(): void {
    if (this.closed) return;
    // A closing connection keeps reading (and drops what it reads) so that it sees the peer's FIN:
    // with `onread`, pause() stops the kernel reads, and a half-open socket would never close.
    const shouldPause = !this.closing && (this.writeBlocked || this.slots.length >= this.opts.maxInFlight);
    if (shouldPause && !this.readPaused) {
      this.socket.pause();
      this.readPaused = true;
      if (backpressureChannel.hasSubscribers) {
        const reason = this.writeBlocked ? 'write' : 'in-flight';
        backpressureChannel.publish({ connectionId: this.id, paused: true, reason });
      }
    } else if (!shouldPause && this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
      if (backpressureChannel.hasSubscribers)
        backpressureChannel.publish({ connectionId: this.id, paused: false, reason: 'resumed' });
      // Frames may already be buffered from before the pause.
      if (!this.closing) this.pump();
    }
  }

  /**
   * Graceful close: stop taking requests, let in-flight responses be written, then end the socket.
   * Idempotent.
   */
  close(reason: string): void {
    if (this.closing || this.closed) return;
    this.closing = true;
    this.opts.logger.debug({ conn: this.id, reason }, 'closing connection');
    this.updateReading();
    if (this.slots.length === 0) this.socket.end();
  }

  /** Immediate close, dropping anything unwritten. */
  destroy(): void {
    this.closing = true;
    if (!this.socket.destroyed) this.socket.destroy();
  }

  /** Closes gracefully, and destroys if not done within `graceMs` (0 = destroy now). */
  async shutdown(graceMs: number): Promise<void> {
    if (graceMs <= 0) this.destroy();
    else {
      this.close('shutdown');
      const t = this.opts.clock.setTimeout(() => this.destroy(), graceMs);
      await this.closedPromise;
      t.cancel();
    }
    await this.closedPromise;
  }
}

export { ConnectionError };
