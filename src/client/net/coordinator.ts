/**
 * Group coordinator lookup (FindCoordinator), cached per group until a caller reports
 * NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE or the connection dies. The request shape follows
 * the negotiated version (v0-3 `key`, v4+ `coordinatorKeys`).
 */
import { ApiKeys, type FindCoordinatorResponse } from '../../protocol/messages/index.js';
import { KafkaError } from '../errors.js';
import type { Cluster } from './cluster.js';
import type { Connection } from './connection.js';
import type { ConnectionPurpose } from './pool.js';
import { withRetries } from './retry.js';

const COORDINATOR_ERRORS = new Set([14, 15, 16]); // LOAD_IN_PROGRESS, NOT_AVAILABLE, NOT_COORDINATOR

export class CoordinatorCache {
  private readonly cache = new Map<string, { host: string; port: number; nodeId: number }>();

  constructor(private readonly cluster: Cluster) {}

  async connection(groupId: string, purpose: ConnectionPurpose = 'coordinator'): Promise<Connection> {
    let c = this.cache.get(groupId);
    if (c === undefined) {
      c = await this.lookup(groupId);
      this.cache.set(groupId, c);
    }
    try {
      return await this.cluster.pool.get(c.host, c.port, purpose, c.nodeId);
    } catch (err) {
      this.cache.delete(groupId);
      throw err;
    }
  }

  invalidate(groupId: string): void {
    this.cache.delete(groupId);
  }

  /** Invalidates the cache entry when `err` says the coordinator moved; returns whether it did. */
  handleError(groupId: string, err: unknown): boolean {
    if (
      (err instanceof KafkaError && COORDINATOR_ERRORS.has(err.code)) ||
      (err as { code?: string })?.code === 'ERR_CLIENT_CONNECTION_CLOSED'
    ) {
      this.cache.delete(groupId);
      return true;
    }
    return false;
  }

  private lookup(groupId: string): Promise<{ host: string; port: number; nodeId: number }> {
    const o = this.cluster.options;
    return withRetries(
      async () => {
        const conn = await this.cluster.anyBroker();
        // v4+ batches keys in coordinatorKeys; older versions carry one key
        const batched = (conn.versionOf(ApiKeys.FindCoordinator) ?? 0) >= 4;
        const res = await conn.request<FindCoordinatorResponse>(ApiKeys.FindCoordinator, {
          key: batched ? '' : groupId,
          keyType: 0,
          coordinatorKeys: batched ? [groupId] : [],
        });
        const c = res.coordinators.length > 0 ? res.coordinators[0]! : res;
        if (c.errorCode !== 0)
          throw new KafkaError(c.errorCode, { groupId, api: 'FindCoordinator', serverMessage: c.errorMessage });
        return { host: c.host, port: c.port, nodeId: c.nodeId };
      },
      { retries: 20, baseMs: o.retryBackoffMs, maxMs: o.retryBackoffMaxMs, deadline: Date.now() + o.requestTimeoutMs },
    );
  }
}

/** Runs a coordinator request, re-finding the coordinator and retrying when it moved. */
export async function withCoordinator<T>(
  coordinators: CoordinatorCache,
  cluster: Cluster,
  groupId: string,
  fn: (conn: Connection) => Promise<T>,
): Promise<T> {
  const o = cluster.options;
  return withRetries(
    async () => {
      const conn = await coordinators.connection(groupId);
      try {
        return await fn(conn);
      } catch (err) {
        coordinators.handleError(groupId, err);
        throw err;
      }
    },
    { retries: 20, baseMs: o.retryBackoffMs, maxMs: o.retryBackoffMaxMs, deadline: Date.now() + o.requestTimeoutMs },
  );
}
