/**
 * Connection pool: at most one live connection per (purpose, broker address). Purposes keep
 * traffic that must not queue behind each other on separate sockets — a broker answers a
 * connection's requests in order, so a fetch long-polling for max.wait.ms would hold up a
 * heartbeat sent behind it (Java's consumer uses a separate coordinator connection for the
 * same reason).
 *
 * Concurrent `get`s for the same key share one connect attempt. After a failed connect, further
 * attempts to that address wait out an exponential backoff (reconnect.backoff.ms up to
 * reconnect.backoff.max.ms) instead of hammering a broker that is down; a successful connect
 * resets it. Dead connections are dropped from the pool when they close.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientError } from '../errors.js';
import { Connection } from './connection.js';
import { backoffMs } from './retry.js';

export type ConnectionPurpose = 'default' | 'fetch' | 'coordinator';

export interface PoolOptions {
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  reconnectBackoffMs: number;
  reconnectBackoffMaxMs: number;
}

interface Failure {
  attempts: number;
  retryAt: number;
}

export class ConnectionPool {
  private readonly live = new Map<string, Connection>();
  private readonly connecting = new Map<string, Promise<Connection>>();
  private readonly failures = new Map<string, Failure>();
  private closed = false;

  constructor(private readonly options: PoolOptions) {}

  async get(host: string, port: number, purpose: ConnectionPurpose = 'default', nodeId?: number): Promise<Connection> {
    if (this.closed) throw new ClientError('ERR_CLIENT_CLOSED', 'the client is closed');
    const address = `${host}:${port}`;
    const key = `${purpose}/${address}`;
    const existing = this.live.get(key);
    if (existing && !existing.closed) return existing;
    const inProgress = this.connecting.get(key);
    if (inProgress) return inProgress;
    const attempt = this.open(key, address, host, port, nodeId);
    this.connecting.set(key, attempt);
    try {
      return await attempt;
    } finally {
      this.connecting.delete(key);
    }
  }

  private async open(key: string, address: string, host: string, port: number, nodeId?: number): Promise<Connection> {
    const failure = this.failures.get(address);
    if (failure && failure.retryAt > Date.now()) await sleep(failure.retryAt - Date.now());
    if (this.closed) throw new ClientError('ERR_CLIENT_CLOSED', 'the client is closed');
    try {
      const conn = await Connection.connect({
        host,
        port,
        nodeId,
        clientId: this.options.clientId,
        connectTimeoutMs: this.options.connectTimeoutMs,
        requestTimeoutMs: this.options.requestTimeoutMs,
      });
      this.failures.delete(address);
      if (this.closed) {
        conn.destroy();
        throw new ClientError('ERR_CLIENT_CLOSED', 'the client is closed');
      }
      this.live.set(key, conn);
      conn.onClose(() => {
        if (this.live.get(key) === conn) this.live.delete(key);
      });
      return conn;
    } catch (err) {
      const attempts = (failure?.attempts ?? 0) + 1;
      this.failures.set(address, {
        attempts,
        retryAt:
          Date.now() + backoffMs(attempts - 1, this.options.reconnectBackoffMs, this.options.reconnectBackoffMaxMs),
      });
      throw err;
    }
  }

  /** The live connection for this key, if any, without connecting (for synchronous hot paths). */
  peek(host: string, port: number, purpose: ConnectionPurpose = 'default'): Connection | undefined {
    const c = this.live.get(`${purpose}/${host}:${port}`);
    return c && !c.closed ? c : undefined;
  }

  /** Live connections (for tests and fault injection). */
  connections(): Connection[] {
    return [...this.live.values()];
  }

  async close(drainMs = 5_000): Promise<void> {
    this.closed = true;
    await Promise.all([...this.live.values()].map((c) => c.close(drainMs)));
    this.live.clear();
  }
}
