/**
 * A minimal Kafka wire connection for the benches: writes size-prefixed request frames (pipelined)
 * and resolves responses in order, which Kafka guarantees per connection. Deliberately not the
 * project's client library: the benches must measure the broker, so this adds nothing per record
 * (the blaster sends pre-encoded frames) and does no metadata, retries or batching of its own.
 */
import { connect, type Socket } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/framing.js';
import type { CreateTopicsResponse } from '../../src/protocol/messages/19-create-topics.js';

interface Pending {
  resolve: (frame: Buffer) => void;
  reject: (err: Error) => void;
}

export class WireConnection {
  private readonly pending: Pending[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  private correlationId = 0;
  private closedError: Error | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (err: Error) => {
      this.closedError ??= err;
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static connect(host: string, port: number, timeoutMs = 5000): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new WireConnection(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      let head = this.chunks[0]!;
      if (head.length < 4) head = this.concat();
      const size = head.readInt32BE(0);
      if (this.buffered < 4 + size) return;
      const all = this.chunks.length === 1 ? head : this.concat();
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.pending.shift()?.resolve(frame);
    }
  }

  private concat(): Buffer {
    const b = Buffer.concat(this.chunks);
    this.chunks = [b];
    return b;
  }

  /** Sends a complete frame (with size prefix); resolves with the response frame (without it). */
  sendFrame(frame: Buffer): Promise<Buffer> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(frame);
    });
  }

  /** True when the socket's write buffer is over its high-water mark. */
  get writeBlocked(): boolean {
    return this.socket.writableNeedDrain;
  }

  async request<T>(apiKey: number, apiVersion: number, body: unknown): Promise<T> {
    const correlationId = ++this.correlationId;
    const frame = encodeRequestFrame(
      { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId, clientId: 'vltava-bench' },
      body,
    );
    const response = await this.sendFrame(frame);
    return decodeResponseFrame(response, apiKey, apiVersion).response as T;
  }

  close(): void {
    this.socket.destroy();
  }
}

export const API = {
  PRODUCE: 0,
  FETCH: 1,
  LIST_OFFSETS: 2,
  METADATA: 3,
  API_VERSIONS: 18,
  CREATE_TOPICS: 19,
  DELETE_TOPICS: 20,
} as const;

/** Creates a topic (replication factor 1) and fails unless it was created or already existed. */
export async function createTopic(
  conn: WireConnection,
  name: string,
  partitions: number,
  configs: Record<string, string> = {},
): Promise<void> {
  const res = await conn.request<CreateTopicsResponse>(API.CREATE_TOPICS, 5, {
    topics: [
      {
        name,
        numPartitions: partitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
      },
    ],
    timeoutMs: 30000,
    validateOnly: false,
  });
  const t = res.topics[0]!;
  if (t.errorCode !== 0 && t.errorCode !== 36 /* TOPIC_ALREADY_EXISTS */) {
    throw new Error(`CreateTopics ${name}: error ${t.errorCode} ${t.errorMessage ?? ''}`);
  }
}

export function apiVersionsRequest(): unknown {
  return { clientSoftwareName: 'vltava-bench', clientSoftwareVersion: '0.1.0' };
}
