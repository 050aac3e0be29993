// A minimal Kafka client for tests: typed requests through the generated codecs over a real socket.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { FrameDecoder } from '../../../src/broker/net/frame-decoder.js';
import { decodeResponseFrame, encodeRequestFrame } from '../../../src/protocol/framing.js';

interface Pending {
  apiKey: number;
  version: number;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class RawKafkaClient {
  private correlationId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly order: number[] = [];
  private readonly decoder = new FrameDecoder(1 << 30);
  readonly closed: Promise<void>;
  isClosed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let f = this.decoder.next(); f !== undefined; f = this.decoder.next()) {
        const id = f.readInt32BE(0);
        const p = this.pending.get(id);
        if (!p) continue;
        this.pending.delete(id);
        try {
          p.resolve(decodeResponseFrame(Buffer.from(f), p.apiKey, p.version).response);
        } catch (err) {
          p.reject(err);
        }
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.isClosed = true;
        for (const p of this.pending.values()) p.reject(new Error('connection closed'));
        this.pending.clear();
        resolve();
      }),
    );
  }

  static async connect(bootstrap: string): Promise<RawKafkaClient> {
    const [host, port] = bootstrap.split(':');
    const s = connect({ host: host!, port: Number(port) });
    await once(s, 'connect');
    return new RawKafkaClient(s);
  }

  // biome-ignore lint/suspicious/noExplicitAny: tests pass loosely typed request bodies
  request<T = any>(apiKey: number, version: number, body: unknown, clientId = 'raw-test'): Promise<T> {
    const correlationId = this.correlationId++;
    const frame = encodeRequestFrame(
      { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId },
      body,
    );
    return new Promise<T>((resolve, reject) => {
      this.pending.set(correlationId, { apiKey, version, resolve: resolve as (v: unknown) => void, reject });
      this.order.push(correlationId);
      this.socket.write(frame);
    });
  }

  /** Sends a request expecting no response (acks=0); resolves when written. */
  send(apiKey: number, version: number, body: unknown): Promise<void> {
    const frame = encodeRequestFrame(
      { requestApiKey: apiKey, requestApiVersion: version, correlationId: this.correlationId++, clientId: 'raw-test' },
      body,
    );
    return new Promise((resolve) => this.socket.write(frame, () => resolve()));
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.end();
  }
}
