/**
 * One TCP connection to one broker. Owns the socket, the correlation-id space, the in-flight
 * request table and the negotiated API versions.
 *
 * Pipelining: any number of requests may be in flight; Kafka answers them in order on a
 * connection, but responses are matched by correlation id so a timed-out or aborted request can
 * simply be forgotten (its late response is dropped). Requests that expect no response (Produce
 * with acks=0) resolve once the bytes are handed to the socket.
 *
 * Lifecycle: `Connection.connect` opens the socket and negotiates versions with ApiVersions
 * (trying our newest version; a broker that does not know it answers in v0 with its ranges, and
 * we retry at the highest version it supports). Any socket error or close fails every in-flight
 * request with a retriable ERR_CLIENT_CONNECTION_CLOSED; the connection is then dead for good —
 * reconnecting is the pool's job. `close()` lets in-flight requests finish (bounded) and ends
 * the socket.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame } from '../../protocol/framing.js';
import {
  ApiKeys,
  type ApiVersionsResponse,
  apiByKey,
  decodeApiVersionsResponse,
} from '../../protocol/messages/index.js';
import { decodeResponseHeader } from '../../protocol/messages/response-header.js';
import { Reader, Writer } from '../../protocol/primitives/index.js';
import { ClientError, KafkaError } from '../errors.js';
import { FrameReader } from './frame-reader.js';
import { connectionChannel, type RequestEvent, requestChannel } from './diagnostics.js';
import { negotiate } from './versions.js';

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId?: string;
  /** Broker node id when known (for logs and diagnostics). */
  nodeId?: number;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Largest response frame accepted; a bigger size prefix means a desynchronised stream. */
  maxResponseBytes?: number;
  signal?: AbortSignal;
}

export interface RequestOptions {
  /** Overrides the negotiated version. */
  version?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** false for Produce acks=0: resolve when written, expect nothing back. */
  expectResponse?: boolean;
}

interface Pending {
  apiKey: number;
  version: number;
  startedAt: number;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer?: NodeJS.Timeout;
  signal?: AbortSignal;
  onAbort?: () => void;
  /** Custom decoder (ApiVersions needs the raw frame to fall back to v0). */
  decode?: (frame: Buffer) => unknown;
}

const CLIENT_SOFTWARE_VERSION = '0.1.0';

export class Connection {
  private correlationId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly frames: FrameReader;
  private versions = new Map<number, number>();
  private closedError: ClientError | undefined;
  private readonly closeListeners: Array<(err?: ClientError) => void> = [];
  readonly address: string;
  readonly clientId: string;
  readonly requestTimeoutMs: number;

  private constructor(
    private readonly socket: Socket,
    readonly options: ConnectionOptions,
    reads: ReadSink,
  ) {
    this.address = `${options.host}:${options.port}`;
    this.clientId = options.clientId ?? 'vltava';
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.frames = reads.frames;
    reads.onRead = (n, target) => this.onRead(n, target);
    socket.setNoDelay(true);
    socket.on('error', (err) =>
      this.fail(
        new ClientError('ERR_CLIENT_CONNECTION_CLOSED', `connection to ${this.address} failed: ${err.message}`, {
          cause: err,
        }),
      ),
    );
    socket.on('close', () =>
      this.fail(new ClientError('ERR_CLIENT_CONNECTION_CLOSED', `connection to ${this.address} closed`)),
    );
  }

  /** Opens a socket and negotiates API versions. */
  static async connect(options: ConnectionOptions): Promise<Connection> {
    // the socket reads into buffers the frame reader hands out (see FrameReader.readTarget)
    const reads: ReadSink = {
      frames: new FrameReader(options.maxResponseBytes ?? 256 * 1024 * 1024),
      onRead: () => {},
    };
    const socket = await openSocket(options, reads);
    const conn = new Connection(socket, options, reads);
    try {
      await conn.negotiateVersions(options.signal);
    } catch (err) {
      conn.destroy();
      throw err;
    }
    if (connectionChannel.hasSubscribers) connectionChannel.publish({ broker: conn.address, event: 'connect' });
    return conn;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** True when the socket's write buffer is over its high-water mark (see `drained`). */
  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  drained(): Promise<void> {
    if (!this.socket.writableNeedDrain || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  onClose(listener: (err?: ClientError) => void): void {
    if (this.closedError) listener(this.closedError);
    else this.closeListeners.push(listener);
  }

  /** Negotiated version for an API key, or undefined when the broker and client share none. */
  versionOf(apiKey: number): number | undefined {
    return this.versions.get(apiKey);
  }

  supports(apiKey: number): boolean {
    return this.versions.has(apiKey);
  }

  // biome-ignore lint/suspicious/noExplicitAny: codecs are typed per API by callers
  request<T = any>(apiKey: number, body: unknown, options: RequestOptions = {}): Promise<T> {
    const version = options.version ?? this.versions.get(apiKey);
    const api = apiByKey(apiKey);
    if (version === undefined || api === undefined) {
      return Promise.reject(
        new ClientError(
          'ERR_CLIENT_UNSUPPORTED_VERSION',
          `broker ${this.address} does not support ${api?.name ?? `API ${apiKey}`} in a version this client speaks`,
        ),
      );
    }
    return this.send(apiKey, version, body, options) as Promise<T>;
  }

  private send(
    apiKey: number,
    version: number,
    body: unknown,
    options: RequestOptions,
    decode?: (f: Buffer) => unknown,
  ): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (options.signal?.aborted) return Promise.reject(abortError(options.signal));
    this.correlationId = (this.correlationId + 1) | 0;
    const correlationId = this.correlationId;
    let frame: Buffer;
    try {
      frame = encodeRequestFrame(
        { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: this.clientId },
        body,
        new Writer(1024),
      );
    } catch (err) {
      return Promise.reject(err);
    }
    const startedAt = performance.now();
    if (options.expectResponse === false) {
      return new Promise((resolve, reject) => {
        this.socket.write(frame, (err) => {
          this.publish(apiKey, version, correlationId, startedAt, err ?? undefined);
          if (err)
            reject(new ClientError('ERR_CLIENT_CONNECTION_CLOSED', `write to ${this.address} failed`, { cause: err }));
          else resolve(undefined);
        });
      });
    }
    return new Promise((resolve, reject) => {
      const p: Pending = { apiKey, version, startedAt, resolve, reject, decode };
      const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        p.timer = setTimeout(() => {
          this.settle(
            correlationId,
            new ClientError(
              'ERR_CLIENT_REQUEST_TIMEOUT',
              `${api(apiKey)} v${version} to ${this.address} timed out after ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
      }
      if (options.signal) {
        p.signal = options.signal;
        p.onAbort = () => this.settle(correlationId, abortError(options.signal!));
        options.signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.pending.set(correlationId, p);
      this.socket.write(frame);
    });
  }

  /** Removes a pending request and rejects it (error) or resolves it (value). */
  private settle(correlationId: number, error: unknown, value?: unknown): void {
    const p = this.pending.get(correlationId);
    if (p === undefined) return;
    this.pending.delete(correlationId);
    if (p.timer) clearTimeout(p.timer);
    if (p.onAbort) p.signal!.removeEventListener('abort', p.onAbort);
    this.publish(p.apiKey, p.version, correlationId, p.startedAt, error);
    if (error !== undefined) p.reject(error);
    else p.resolve(value);
  }

  private publish(apiKey: number, apiVersion: number, correlationId: number, startedAt: number, error: unknown): void {
    if (!requestChannel.hasSubscribers) return;
    const event: RequestEvent = {
      apiKey,
      apiName: api(apiKey),
      apiVersion,
      correlationId,
      broker: this.address,
      durationMs: performance.now() - startedAt,
    };
    if (error !== undefined) event.error = error;
    requestChannel.publish(event);
  }

  private onRead(n: number, target: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.frames.received(n, target);
    } catch (err) {
      this.destroy(
        new ClientError('ERR_CLIENT_PROTOCOL', `${(err as Error).message} from ${this.address}`, { cause: err }),
      );
      return;
    }
    for (const f of frames) this.onFrame(f);
  }

  private onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const p = this.pending.get(correlationId);
    if (p === undefined) return; // timed out or aborted earlier
    let value: unknown;
    try {
      value = p.decode ? p.decode(frame) : decodeResponseFrame(frame, p.apiKey, p.version).response;
    } catch (err) {
      // A response we cannot parse leaves the stream position unknowable for nothing, but the
      // request itself is lost: fail it, not the connection (frames are length-delimited).
      this.settle(
        correlationId,
        new ClientError(
          'ERR_CLIENT_PROTOCOL',
          `cannot decode ${api(p.apiKey)} v${p.version} response from ${this.address}: ${(err as Error).message}`,
          { cause: err },
        ),
      );
      return;
    }
    this.settle(correlationId, undefined, value);
  }

  private async negotiateVersions(signal?: AbortSignal): Promise<void> {
    const ours = apiByKey(ApiKeys.ApiVersions)!.maxVersion;
    let version = ours;
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = (await this.send(
        ApiKeys.ApiVersions,
        version,
        { clientSoftwareName: 'vltava-client', clientSoftwareVersion: CLIENT_SOFTWARE_VERSION },
        { signal, timeoutMs: this.options.connectTimeoutMs ?? 10_000 },
        (frame) => decodeApiVersions(frame, version),
      )) as ApiVersionsResponse;
      if (res.errorCode === 35) {
        const theirs = res.apiKeys.find((k) => k.apiKey === ApiKeys.ApiVersions)?.maxVersion ?? 0;
        version = Math.min(ours, theirs);
        continue;
      }
      if (res.errorCode !== 0) throw new KafkaError(res.errorCode, { api: 'ApiVersions' });
      this.versions = negotiate(res.apiKeys);
      return;
    }
    throw new ClientError(
      'ERR_CLIENT_UNSUPPORTED_VERSION',
      `ApiVersions negotiation with ${this.address} did not converge`,
    );
  }

  /** Fails every in-flight request and marks the connection dead. Idempotent. */
  private fail(err: ClientError): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const id of [...this.pending.keys()]) this.settle(id, err);
    this.socket.destroy();
    if (connectionChannel.hasSubscribers)
      connectionChannel.publish({ broker: this.address, event: 'close', error: err });
    for (const l of this.closeListeners.splice(0)) l(err);
  }

  destroy(err?: ClientError): void {
    this.fail(
      err ?? new ClientError('ERR_CLIENT_CONNECTION_CLOSED', `connection to ${this.address} closed by the client`),
    );
  }

  /** Waits (up to `timeoutMs`) for in-flight requests, then ends the socket. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.closed) return;
    const waits = [...this.pending.values()].map(
      (p) =>
        new Promise<void>((resolve) => {
          const { resolve: res, reject: rej } = p;
          p.resolve = (v) => {
            res(v);
            resolve();
          };
          p.reject = (e) => {
            rej(e);
            resolve();
          };
        }),
    );
    if (waits.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(waits), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
    }
    // requests still unanswered after the drain time are abandoned: no reason to wait for the peer
    if (this.pending.size > 0) {
      this.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
      // a peer that never closes its side must not hold close() forever
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    });
    this.destroy();
  }
}

/** ApiVersions: a broker that does not support our version answers with a v0 body; try both. */
function decodeApiVersions(frame: Buffer, version: number): ApiVersionsResponse {
  const r = new Reader(frame);
  decodeResponseHeader(r, 0);
  const bodyAt = r.offset;
  try {
    const res = decodeApiVersionsResponse(r, version);
    if (res.errorCode !== 35) return res;
  } catch {
    // fall through to v0
  }
  return decodeApiVersionsResponse(new Reader(frame, bodyAt, frame.length), 0);
}

function api(apiKey: number): string {
  return apiByKey(apiKey)?.name ?? `API ${apiKey}`;
}

function abortError(signal: AbortSignal): ClientError {
  return new ClientError('ERR_CLIENT_ABORTED', 'request aborted', { cause: signal.reason });
}

/** The socket's read side: where reads land and who handles them once the connection exists. */
interface ReadSink {
  frames: FrameReader;
  onRead: (n: number, target: Buffer) => void;
}

function openSocket(options: ConnectionOptions, reads: ReadSink): Promise<Socket> {
  const address = `${options.host}:${options.port}`;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(abortError(options.signal));
    const socket = netConnect({
      host: options.host,
      port: options.port,
      onread: {
        buffer: () => reads.frames.readTarget(),
        callback: (n: number, target: Uint8Array) => {
          reads.onRead(n, target as Buffer);
          return true; // never pause: responses are what we asked for
        },
      },
    });
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    const done = (err?: Error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve(socket);
    };
    const onConnect = () => done();
    const onError = (err: Error) =>
      done(
        new ClientError('ERR_CLIENT_CONNECT_FAILED', `cannot connect to ${address}: ${err.message}`, { cause: err }),
      );
    const onAbort = () => done(abortError(options.signal!));
    const timer = setTimeout(
      () => done(new ClientError('ERR_CLIENT_CONNECT_FAILED', `connect to ${address} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('connect', onConnect);
    socket.once('error', onError);
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
