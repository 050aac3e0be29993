/**
 * The client's view of the cluster and the way to reach it: connection pool + metadata.
 *
 * Bootstrap: any listed broker answers Metadata for the whole cluster (every broker knows every
 * broker), after which the bootstrap list is only a fallback for when every known broker is
 * unreachable. Metadata is refreshed (a) when a caller reports a stale-metadata error (leader
 * moved, unknown partition, broker gone), (b) when a topic the client needs is missing or
 * leaderless, and (c) at least every metadata.max.age.ms. Concurrent refreshes coalesce into
 * one request. Only topics some caller asked for are tracked, unless `trackAllTopics` is set.
 */
import { ApiKeys, type MetadataResponse } from '../../protocol/messages/index.js';
import { ClientError, KafkaError, isRetriable } from '../errors.js';
import { type ClientOptions, type ResolvedClientOptions, resolveClientOptions } from '../options.js';
import type { Connection, RequestOptions } from './connection.js';
import { type BrokerInfo, ClusterMetadata, type TopicInfo } from './metadata.js';
import { ConnectionPool, type ConnectionPurpose } from './pool.js';
import { backoffMs } from './retry.js';
import { setTimeout as sleep } from 'node:timers/promises';

const ZERO_UUID = Buffer.alloc(16);

export interface EnsureTopicsOptions {
  /** Ask the broker to auto-create missing topics (allow.auto.create.topics). */
  autoCreate?: boolean;
  /** How long to wait for topics to appear with leaders (default request.timeout.ms). */
  timeoutMs?: number;
  /** Throw UNKNOWN_TOPIC_OR_PARTITION at the deadline (default); false returns what is known. */
  required?: boolean;
}

export class Cluster {
  readonly options: ResolvedClientOptions;
  readonly pool: ConnectionPool;
  readonly metadata = new ClusterMetadata();
  private readonly interest = new Set<string>();
  private refreshing: Promise<void> | undefined;
  private stale = true;
  private closed = false;
  private ageTimer: NodeJS.Timeout | undefined;
  /** Track every topic (admin listTopics, pattern subscriptions). */
  trackAllTopics = false;
  allowAutoTopicCreation = false;

  constructor(options: ClientOptions) {
    this.options = resolveClientOptions(options);
    this.pool = new ConnectionPool(this.options);
  }

  get logger() {
    return this.options.logger;
  }

  /** Connects to the cluster: one Metadata round trip through any bootstrap broker. */
  async connect(): Promise<void> {
    await this.refreshMetadata();
    this.scheduleAgeRefresh();
  }

  private scheduleAgeRefresh(): void {
    clearTimeout(this.ageTimer);
    if (this.closed) return;
    this.ageTimer = setTimeout(() => {
      this.refreshMetadata()
        .catch((err) => this.logger.debug({ err }, 'periodic metadata refresh failed'))
        .finally(() => this.scheduleAgeRefresh());
    }, this.options.metadataMaxAgeMs);
    this.ageTimer.unref();
  }

  /** Marks metadata stale; the next `ensureTopics`/`leaderFor` refreshes first. */
  markStale(): void {
    this.stale = true;
  }

  /** A connection to any broker: live ones first, then known brokers, then bootstrap servers. */
  async anyBroker(purpose: ConnectionPurpose = 'default'): Promise<Connection> {
    const live = this.pool.connections().find((c) => !c.closed);
    if (live && purpose === 'default') return live;
    const candidates: Array<{ host: string; port: number; nodeId?: number }> = shuffle([
      ...this.metadata.brokers.values(),
    ]);
    candidates.push(...this.options.bootstrapServers);
    let last: unknown;
    for (const c of candidates) {
      try {
        return await this.pool.get(c.host, c.port, purpose, c.nodeId);
      } catch (err) {
        last = err;
      }
    }
    throw new ClientError(
      'ERR_CLIENT_NO_BROKERS',
      `no broker reachable (tried ${candidates.map((c) => `${c.host}:${c.port}`).join(', ')})`,
      { cause: last, retriable: true },
    );
  }

  /** A connection to the broker with this node id (refreshing metadata once if it is unknown). */
  async broker(nodeId: number, purpose: ConnectionPurpose = 'default'): Promise<Connection> {
    let b: BrokerInfo | undefined = this.metadata.brokers.get(nodeId);
    if (b === undefined) {
      await this.refreshMetadata();
      b = this.metadata.brokers.get(nodeId);
    }
    if (b === undefined)
      throw new ClientError('ERR_CLIENT_NO_BROKERS', `broker ${nodeId} is not in the cluster metadata`, {
        retriable: true,
      });
    return this.pool.get(b.host, b.port, purpose, nodeId);
  }

  /**
   * The live connection to a broker, or undefined. Lets hot paths write a request in the same
   * tick (a promise hop would defer the write behind whatever synchronous work follows).
   */
  connectedBroker(nodeId: number, purpose: ConnectionPurpose = 'default'): Connection | undefined {
    const b = this.metadata.brokers.get(nodeId);
    return b ? this.pool.peek(b.host, b.port, purpose) : undefined;
  }

  /** Refreshes metadata for the tracked topics (plus `topics`). Concurrent calls share one request. */
  async refreshMetadata(topics: readonly string[] = []): Promise<void> {
    for (const t of topics) this.interest.add(t);
    if (this.refreshing) {
      await this.refreshing;
      if (topics.every((t) => this.metadata.topics.has(t))) return;
    }
    const run = this.doRefresh().finally(() => {
      if (this.refreshing === run) this.refreshing = undefined;
    });
    this.refreshing = run;
    return run;
  }

  private async doRefresh(): Promise<void> {
    const names = this.trackAllTopics ? null : [...this.interest];
    let lastErr: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const conn = await this.anyBroker();
        const res = await conn.request<MetadataResponse>(ApiKeys.Metadata, {
          topics: names === null ? null : names.map((name) => ({ topicId: ZERO_UUID, name })),
          allowAutoTopicCreation: this.allowAutoTopicCreation,
          includeClusterAuthorizedOperations: false,
          includeTopicAuthorizedOperations: false,
        });
        this.metadata.apply(res, names);
        this.stale = false;
        return;
      } catch (err) {
        lastErr = err;
        if (this.closed) throw err;
        await sleep(backoffMs(attempt, this.options.retryBackoffMs, this.options.retryBackoffMaxMs));
      }
    }
    throw lastErr;
  }

  /**
   * Makes sure metadata knows these topics with a leader for every partition, refreshing (with
   * backoff) until they appear or the timeout passes. Returns the topics' info.
   */
  async ensureTopics(topics: readonly string[], o: EnsureTopicsOptions = {}): Promise<Map<string, TopicInfo>> {
    for (const t of topics) this.interest.add(t);
    const deadline = Date.now() + (o.timeoutMs ?? this.options.requestTimeoutMs);
    const ready = () =>
      topics.every((t) => {
        const info = this.metadata.topics.get(t);
        return info !== undefined && info.partitions.length > 0 && info.partitions.every((p) => p.leader >= 0);
      });
    const saved = this.allowAutoTopicCreation;
    for (let attempt = 0; ; attempt++) {
      if (!this.stale && ready()) break;
      if (o.autoCreate !== undefined) this.allowAutoTopicCreation = o.autoCreate;
      try {
        await this.refreshMetadata(topics);
      } catch (err) {
        // a lost connection is "not ready yet" until the deadline, like a missing leader
        if (!isRetriable(err) || Date.now() >= deadline) throw err;
      } finally {
        this.allowAutoTopicCreation = saved;
      }
      if (ready()) break;
      if (Date.now() >= deadline) {
        if (o.required === false) break;
        const missing = topics.find((t) => !this.metadata.topics.has(t)) ?? topics[0];
        throw new KafkaError(3, { topic: missing, api: 'Metadata' });
      }
      this.stale = true;
      await sleep(
        Math.min(
          backoffMs(attempt, this.options.retryBackoffMs, this.options.retryBackoffMaxMs),
          Math.max(0, deadline - Date.now()),
        ),
      );
    }
    const out = new Map<string, TopicInfo>();
    for (const t of topics) {
      const info = this.metadata.topics.get(t);
      if (info) out.set(t, info);
    }
    return out;
  }

  /** Leader node id of a partition (refreshing metadata if unknown). */
  async leaderFor(topic: string, partition: number): Promise<number> {
    let p = this.stale ? undefined : this.metadata.partition(topic, partition);
    if (p === undefined || p.leader < 0) {
      await this.ensureTopics([topic]);
      p = this.metadata.partition(topic, partition);
    }
    if (p === undefined) throw new KafkaError(3, { topic, partition });
    if (p.leader < 0) throw new KafkaError(5, { topic, partition });
    return p.leader;
  }

  /** Sends a request to any broker, retrying on another broker when the connection fails. */
  // biome-ignore lint/suspicious/noExplicitAny: typed by callers
  async requestAny<T = any>(apiKey: number, body: unknown, o?: RequestOptions): Promise<T> {
    let last: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const conn = await this.anyBroker();
      try {
        return await conn.request<T>(apiKey, body, o);
      } catch (err) {
        last = err;
        if (!(err instanceof ClientError) || err.code !== 'ERR_CLIENT_CONNECTION_CLOSED') throw err;
      }
    }
    throw last;
  }

  /** Sends a request to the controller (admin topic and config operations). */
  // biome-ignore lint/suspicious/noExplicitAny: typed by callers
  async requestController<T = any>(
    apiKey: number,
    body: unknown | ((version: number) => unknown),
    o?: RequestOptions,
  ): Promise<T> {
    if (this.metadata.controllerId < 0 || this.stale) await this.refreshMetadata();
    const id = this.metadata.controllerId;
    const conn = id >= 0 && this.metadata.brokers.has(id) ? await this.broker(id) : await this.anyBroker();
    // a body builder gets the negotiated version, for requests whose shape changed between versions
    return conn.request<T>(apiKey, typeof body === 'function' ? body(conn.versionOf(apiKey) ?? 0) : body, o);
  }

  /** Closes every connection, letting in-flight requests finish for up to `drainMs`. */
  async close(drainMs = 5_000): Promise<void> {
    this.closed = true;
    clearTimeout(this.ageTimer);
    await this.pool.close(drainMs);
  }
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
