// Test helpers: a raw Kafka-framed TCP client over a real socket.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { FrameDecoder, frameResponse } from '../../../../src/broker/net/frame-decoder.js';

export class RawClient {
  readonly frames: Buffer[] = [];
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  private readonly decoder = new FrameDecoder(1 << 30);
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let f = this.decoder.next(); f !== undefined; f = this.decoder.next()) this.frames.push(Buffer.from(f));
      this.wake();
    });
    socket.on('error', () => {});
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static async connect(port: number): Promise<RawClient> {
    const s = connect({ port, host: '127.0.0.1' });
    await once(s, 'connect');
    return new RawClient(s);
  }

  send(...bodies: Buffer[]): void {
    this.socket.write(Buffer.concat(bodies.flatMap((b) => frameResponse(b).buffers)));
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => {
      if (this.frames.length >= w.n || this.closed) {
        w.resolve();
        return false;
      }
      return true;
    });
  }

  /** Resolves when at least n frames have arrived (or the socket closed). */
  async waitFrames(n: number): Promise<Buffer[]> {
    if (this.frames.length < n && !this.closed) await new Promise<void>((resolve) => this.waiters.push({ n, resolve }));
    return this.frames;
  }

  end(): void {
    this.socket.end();
  }
}

/** A promise with its resolve function exposed. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
