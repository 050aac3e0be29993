/**
 * A TCP listener for one Kafka listener (e.g. PLAINTEXT://:9092). Owns the listening socket and
 * every Connection accepted on it; reaps connections idle for longer than connections.max.idle.ms
 * (a connection with a request in flight, such as a long-poll fetch, is never idle).
 * Concurrency: everything runs on the event loop; close() stops accepting, closes every
 * connection (gracefully within `shutdownGraceMs`, then forcibly) and resolves when all are gone.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { type Clock, systemClock, type TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { silentLogger } from '../../common/logger.js';
import { Connection, type RequestHandler } from './connection.js';
import { FramePool } from '../../common/frame-pool.js';
import { withUserReadBuffer } from './user-buffer-socket.js';

export interface SocketServerOptions {
  handler: RequestHandler;
  listenerName?: string;
  /** Host to bind; '' or undefined = all interfaces. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** socket.request.max.bytes */
  maxRequestBytes?: number;
  /** connections.max.idle.ms; <= 0 disables reaping. */
  idleTimeoutMs?: number;
  /** Requests a single connection may have outstanding before reading pauses. */
  maxInFlightPerConnection?: number;
  /** max.connections */
  maxConnections?: number;
  backlog?: number;
  shutdownGraceMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export class SocketServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  /** Shared by this listener's connections: a frame freed on one serves the next on any. */
  private readonly framePool = new FramePool();
  private nextConnectionId = 1;
  private idleTimer: TimerHandle | undefined;
  private closing: Promise<void> | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly opts: Required<Omit<SocketServerOptions, 'clock' | 'logger' | 'host'>> & { host: string };

  constructor(options: SocketServerOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger();
    this.opts = {
      handler: options.handler,
      listenerName: options.listenerName ?? 'PLAINTEXT',
      host: options.host ?? '',
      port: options.port,
      maxRequestBytes: options.maxRequestBytes ?? 104857600,
      idleTimeoutMs: options.idleTimeoutMs ?? 600000,
      maxInFlightPerConnection: options.maxInFlightPerConnection ?? 100,
      maxConnections: options.maxConnections ?? 2 ** 31 - 1,
      backlog: options.backlog ?? 511,
      shutdownGraceMs: options.shutdownGraceMs ?? 1000,
    };
    // pauseOnConnect: nothing is read before accept() decides how reads are buffered.
    this.server = createServer({ noDelay: true, allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.accept(socket));
    this.server.on('error', (err) => this.logger.error({ err }, 'listener error'));
  }

  /** Binds and resolves with the bound address (the real port when port was 0). */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      const host = this.opts.host === '' ? undefined : this.opts.host;
      this.server.listen({ host, port: this.opts.port, backlog: this.opts.backlog }, () => {
        this.server.off('error', onError);
        this.startIdleReaper();
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  get address(): AddressInfo | null {
    return this.server.address() as AddressInfo | null;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private accept(accepted: Socket): void {
    if (this.closing !== undefined || this.connections.size >= this.opts.maxConnections) {
      accepted.destroy();
      return;
    }
    let conn: Connection | undefined;
    const rewrapped = withUserReadBuffer(accepted, this.server, () => conn);
    const socket = rewrapped ?? accepted;
    conn = new Connection(socket, {
      id: this.nextConnectionId++,
      listenerName: this.opts.listenerName,
      maxFrameBytes: this.opts.maxRequestBytes,
      maxInFlight: this.opts.maxInFlightPerConnection,
      clock: this.clock,
      logger: this.logger,
      handler: this.opts.handler,
      onClose: (c) => this.connections.delete(c),
      readsViaSink: rewrapped !== undefined,
      framePool: this.framePool,
    });
    this.connections.add(conn);
    if (rewrapped === undefined) accepted.resume();
  }

  private startIdleReaper(): void {
    const idle = this.opts.idleTimeoutMs;
    if (idle <= 0) return;
    // Sweeping at a fraction of the timeout bounds how late a reap can be (<= 1.25x the timeout)
    // without a timer per connection being reset on every request.
    this.idleTimer = this.clock.setInterval(() => this.reapIdle(), Math.max(1, Math.floor(idle / 4)));
  }

  /** Closes connections with nothing in flight and no traffic for connections.max.idle.ms. */
  reapIdle(): void {
    const now = this.clock.monotonic();
    for (const c of this.connections) {
      if (c.inFlight === 0 && now - c.lastActiveMs >= this.opts.idleTimeoutMs) {
        this.logger.debug({ conn: c.id }, 'closing idle connection');
        c.close('idle');
      }
    }
  }

  /** Stops accepting and closes every connection. Idempotent. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.closing = (async () => {
        this.idleTimer?.cancel();
        const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
        await Promise.all([...this.connections].map((c) => c.shutdown(this.opts.shutdownGraceMs)));
        await serverClosed;
      })();
    }
    return this.closing;
  }
}
