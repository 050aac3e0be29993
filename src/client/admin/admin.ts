/**
 * Admin client: topics, partitions, configs, cluster, offsets, records and log dirs; consumer
 * group operations live in groups.ts and are exposed through the same object.
 *
 * Routing follows Kafka: topic creation/deletion and partition changes go to the controller
 * (retried on NOT_CONTROLLER after a metadata refresh), broker-scoped configs and log dirs to
 * the broker concerned, DeleteRecords to partition leaders, everything else to any broker.
 * Every operation that targets several entities fails with the first entity's KafkaError
 * (naming the topic/partition), after the whole request ran — a partial success is visible
 * through describe calls.
 */
import {
  ApiKeys,
  type AlterConfigsResponse,
  type CreatePartitionsResponse,
  type CreateTopicsResponse,
  type DeleteRecordsResponse,
  type DeleteTopicsResponse,
  type DescribeClusterResponse,
  type DescribeConfigsResponse,
  type DescribeLogDirsResponse,
  type IncrementalAlterConfigsResponse,
} from '../../protocol/messages/index.js';
import { ClientError, KafkaError } from '../errors.js';
import { Cluster } from '../net/cluster.js';
import type { TopicInfo } from '../net/metadata.js';
import { withRetries } from '../net/retry.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, type OffsetResult, type OffsetSpec } from '../offsets.js';
import type { ClientOptions } from '../options.js';
import { GroupAdmin } from './groups.js';
import { groupBy, pushTo } from '../collections.js';

export interface NewTopic {
  topic: string;
  /** -1 (default) = the broker's num.partitions. */
  numPartitions?: number;
  /** -1 (default) = the broker's default.replication.factor. */
  replicationFactor?: number;
  /** Explicit replica assignment: partition index -> broker ids. */
  assignments?: Record<number, number[]>;
  configs?: Record<string, string>;
}

export interface TopicDescription {
  name: string;
  topicId: string;
  isInternal: boolean;
  partitions: Array<{
    partition: number;
    leader: number;
    leaderEpoch: number;
    replicas: number[];
    isr: number[];
    offlineReplicas: number[];
  }>;
}

export type ConfigResourceType = 'topic' | 'broker' | 'broker-logger' | 'group' | 'client-metrics';
const RESOURCE_TYPES: Record<ConfigResourceType, number> = {
  topic: 2,
  broker: 4,
  'broker-logger': 8,
  'client-metrics': 16,
  group: 32,
};
const RESOURCE_NAMES = new Map(Object.entries(RESOURCE_TYPES).map(([k, v]) => [v, k as ConfigResourceType]));

export const CONFIG_SOURCES = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'CLIENT_METRICS_CONFIG',
  'GROUP_CONFIG',
];

export interface ConfigResource {
  type: ConfigResourceType;
  name: string;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  source: string;
  isSensitive: boolean;
}

export type ConfigOperation = 'set' | 'delete' | 'append' | 'subtract';
const CONFIG_OPS: Record<ConfigOperation, number> = { set: 0, delete: 1, append: 2, subtract: 3 };

export interface ClusterDescription {
  clusterId: string | null;
  controllerId: number;
  brokers: Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
}

export interface LogDirDescription {
  broker: number;
  logDir: string;
  error: string | null;
  totalBytes: number;
  usableBytes: number;
  partitions: Array<{ topic: string; partition: number; size: number; offsetLag: number; isFuture: boolean }>;
}

export interface AdminOptions extends ClientOptions {}

export class Admin extends GroupAdmin {
  constructor(options: AdminOptions) {
    const cluster = new Cluster(options);
    super(cluster);
  }

  async connect(): Promise<void> {
    await this.cluster.connect();
  }

  async close(): Promise<void> {
    await this.cluster.close();
  }

  /** Runs a controller request, refreshing metadata and retrying when the controller moved. */
  private async controller<T>(
    apiKey: number,
    body: unknown | ((version: number) => unknown),
    errorsOf: (res: T) => KafkaError | undefined,
  ): Promise<T> {
    const o = this.cluster.options;
    return withRetries(
      async () => {
        const res = await this.cluster.requestController<T>(apiKey, body);
        const err = errorsOf(res);
        if (err?.name === 'NOT_CONTROLLER') {
          this.cluster.markStale();
          throw err;
        }
        if (err) throw err;
        return res;
      },
      { retries: 5, baseMs: o.retryBackoffMs, maxMs: o.retryBackoffMaxMs, onRetry: () => this.cluster.markStale() },
    );
  }

  async createTopics(topics: NewTopic[], options: { validateOnly?: boolean; timeoutMs?: number } = {}): Promise<void> {
    await this.controller<CreateTopicsResponse>(
      ApiKeys.CreateTopics,
      {
        timeoutMs: options.timeoutMs ?? this.cluster.options.requestTimeoutMs,
        validateOnly: options.validateOnly ?? false,
        topics: topics.map((t) => ({
          name: t.topic,
          numPartitions: t.assignments ? -1 : (t.numPartitions ?? -1),
          replicationFactor: t.assignments ? -1 : (t.replicationFactor ?? -1),
          assignments: Object.entries(t.assignments ?? {}).map(([p, brokerIds]) => ({
            partitionIndex: Number(p),
            brokerIds,
          })),
          configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      },
      (res) =>
        firstError(res.topics, (r) => ({ code: r.errorCode, topic: r.name, msg: r.errorMessage }), 'CreateTopics'),
    );
    if (!options.validateOnly)
      await this.cluster.ensureTopics(
        topics.map((t) => t.topic),
        { timeoutMs: options.timeoutMs },
      );
  }

  async deleteTopics(topics: string[], options: { timeoutMs?: number } = {}): Promise<void> {
    await this.controller<DeleteTopicsResponse>(
      ApiKeys.DeleteTopics,
      // v6 names topics in `topics` (name or id); older versions in `topicNames`
      (v: number) => ({
        timeoutMs: options.timeoutMs ?? this.cluster.options.requestTimeoutMs,
        topicNames: v >= 6 ? [] : topics,
        topics: v >= 6 ? topics.map((name) => ({ name, topicId: Buffer.alloc(16) })) : [],
      }),
      (res) =>
        firstError(
          res.responses,
          (r) => ({ code: r.errorCode, topic: r.name ?? undefined, msg: r.errorMessage }),
          'DeleteTopics',
        ),
    );
    for (const t of topics) this.cluster.metadata.topics.delete(t);
  }

  async createPartitions(
    requests: Array<{ topic: string; count: number; assignments?: number[][] }>,
    options: { validateOnly?: boolean; timeoutMs?: number } = {},
  ): Promise<void> {
    await this.controller<CreatePartitionsResponse>(
      ApiKeys.CreatePartitions,
      {
        timeoutMs: options.timeoutMs ?? this.cluster.options.requestTimeoutMs,
        validateOnly: options.validateOnly ?? false,
        topics: requests.map((r) => ({
          name: r.topic,
          count: r.count,
          assignments: r.assignments ? r.assignments.map((brokerIds) => ({ brokerIds })) : null,
        })),
      },
      (res) =>
        firstError(res.results, (r) => ({ code: r.errorCode, topic: r.name, msg: r.errorMessage }), 'CreatePartitions'),
    );
    this.cluster.markStale();
  }

  /** Topic names, internal topics (e.g. __consumer_offsets) left out unless asked for. */
  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    const topics = await this.allTopics();
    return topics
      .filter((t) => options.includeInternal || !t.isInternal)
      .map((t) => t.name)
      .sort();
  }

  private async allTopics(): Promise<TopicInfo[]> {
    const prev = this.cluster.trackAllTopics;
    this.cluster.trackAllTopics = true;
    try {
      await this.cluster.refreshMetadata();
    } finally {
      this.cluster.trackAllTopics = prev;
    }
    return [...this.cluster.metadata.topics.values()];
  }

  async describeTopics(topics: string[]): Promise<TopicDescription[]> {
    this.cluster.markStale();
    const infos = await this.cluster.ensureTopics(topics, { autoCreate: false, timeoutMs: 0 });
    return topics.map((name) => {
      const t = infos.get(name);
      if (!t) throw new KafkaError(3, { topic: name, api: 'Metadata' });
      return {
        name,
        topicId: uuidString(t.topicId),
        isInternal: t.isInternal,
        partitions: t.partitions.map((p) => ({
          partition: p.partition,
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas,
        })),
      };
    });
  }

  async describeCluster(): Promise<ClusterDescription> {
    const conn = await this.cluster.anyBroker();
    if (conn.supports(ApiKeys.DescribeCluster)) {
      const res = await conn.request<DescribeClusterResponse>(ApiKeys.DescribeCluster, {
        includeClusterAuthorizedOperations: false,
        endpointType: 1,
      });
      if (res.errorCode !== 0)
        throw new KafkaError(res.errorCode, { api: 'DescribeCluster', serverMessage: res.errorMessage });
      return {
        clusterId: res.clusterId,
        controllerId: res.controllerId,
        brokers: res.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })),
      };
    }
    await this.cluster.refreshMetadata();
    const m = this.cluster.metadata;
    return { clusterId: m.clusterId, controllerId: m.controllerId, brokers: [...m.brokers.values()] };
  }

  async describeConfigs(
    resources: Array<ConfigResource & { keys?: string[] }>,
  ): Promise<Array<ConfigResource & { configs: ConfigEntry[] }>> {
    const out: Array<ConfigResource & { configs: ConfigEntry[] }> = [];
    // Broker resources must be asked of that broker; the rest can go anywhere, in one request.
    const groups = new Map<number, typeof resources>();
    for (const r of resources) {
      const target = r.type === 'broker' || r.type === 'broker-logger' ? (r.name === '' ? -1 : Number(r.name)) : -1;
      pushTo(groups, target, r);
    }
    for (const [target, list] of groups) {
      const conn = target >= 0 ? await this.cluster.broker(target) : await this.cluster.anyBroker();
      const res = await conn.request<DescribeConfigsResponse>(ApiKeys.DescribeConfigs, {
        includeSynonyms: false,
        includeDocumentation: false,
        resources: list.map((r) => ({
          resourceType: RESOURCE_TYPES[r.type],
          resourceName: r.name,
          configurationKeys: r.keys ?? null,
        })),
      });
      for (const r of res.results) {
        if (r.errorCode !== 0)
          throw new KafkaError(r.errorCode, {
            api: 'DescribeConfigs',
            topic: r.resourceName,
            serverMessage: r.errorMessage,
          });
        out.push({
          type: RESOURCE_NAMES.get(r.resourceType) ?? 'topic',
          name: r.resourceName,
          configs: r.configs.map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            isDefault: c.isDefault || c.configSource === 5,
            source: CONFIG_SOURCES[c.configSource] ?? 'UNKNOWN',
            isSensitive: c.isSensitive,
          })),
        });
      }
    }
    return out;
  }

  /** Replaces a resource's whole dynamic config (Kafka's legacy AlterConfigs: unset keys revert). */
  async alterConfigs(
    resources: Array<ConfigResource & { configs: Record<string, string> }>,
    options: { validateOnly?: boolean } = {},
  ): Promise<void> {
    for (const [conn, list] of await this.byConfigTarget(resources)) {
      const res = await conn.request<AlterConfigsResponse>(ApiKeys.AlterConfigs, {
        validateOnly: options.validateOnly ?? false,
        resources: list.map((r) => ({
          resourceType: RESOURCE_TYPES[r.type],
          resourceName: r.name,
          configs: Object.entries(r.configs).map(([name, value]) => ({ name, value })),
        })),
      });
      const err = firstError(
        res.responses,
        (r) => ({ code: r.errorCode, topic: r.resourceName, msg: r.errorMessage }),
        'AlterConfigs',
      );
      if (err) throw err;
    }
  }

  async incrementalAlterConfigs(
    resources: Array<
      ConfigResource & { operations: Array<{ name: string; op: ConfigOperation; value?: string | null }> }
    >,
    options: { validateOnly?: boolean } = {},
  ): Promise<void> {
    for (const [conn, list] of await this.byConfigTarget(resources)) {
      const res = await conn.request<IncrementalAlterConfigsResponse>(ApiKeys.IncrementalAlterConfigs, {
        validateOnly: options.validateOnly ?? false,
        resources: list.map((r) => ({
          resourceType: RESOURCE_TYPES[r.type],
          resourceName: r.name,
          configs: r.operations.map((o) => ({
            name: o.name,
            configOperation: CONFIG_OPS[o.op],
            value: o.value ?? null,
          })),
        })),
      });
      const err = firstError(
        res.responses,
        (r) => ({ code: r.errorCode, topic: r.resourceName, msg: r.errorMessage }),
        'IncrementalAlterConfigs',
      );
      if (err) throw err;
    }
  }

  private async byConfigTarget<R extends ConfigResource>(resources: R[]) {
    const out = new Map<import('../net/connection.js').Connection, R[]>();
    for (const r of resources) {
      const conn =
        (r.type === 'broker' || r.type === 'broker-logger') && r.name !== ''
          ? await this.cluster.broker(Number(r.name))
          : await this.cluster.anyBroker();
      pushTo(out, conn, r);
    }
    return out;
  }

  /** Offsets for timestamps ('earliest', 'latest', 'max-timestamp' or a ms timestamp). */
  async listOffsets(
    specs: Array<{ topic: string; partition: number; timestamp: number | 'earliest' | 'latest' | 'max-timestamp' }>,
    options: { isolationLevel?: 'read_uncommitted' | 'read_committed' } = {},
  ): Promise<OffsetResult[]> {
    const s: OffsetSpec[] = specs.map((x) => ({
      topic: x.topic,
      partition: x.partition,
      timestamp:
        x.timestamp === 'earliest'
          ? EARLIEST_TIMESTAMP
          : x.timestamp === 'latest'
            ? LATEST_TIMESTAMP
            : x.timestamp === 'max-timestamp'
              ? -3
              : x.timestamp,
    }));
    return listOffsets(this.cluster, s, options.isolationLevel === 'read_committed' ? 1 : 0);
  }

  /** Earliest and latest (high watermark) offset of every partition of a topic. */
  async fetchTopicOffsets(topic: string): Promise<Array<{ partition: number; earliest: number; latest: number }>> {
    const info = (await this.cluster.ensureTopics([topic])).get(topic)!;
    const parts = info.partitions.map((p) => p.partition);
    const [earliest, latest] = await Promise.all([
      listOffsets(
        this.cluster,
        parts.map((partition) => ({ topic, partition, timestamp: EARLIEST_TIMESTAMP })),
      ),
      listOffsets(
        this.cluster,
        parts.map((partition) => ({ topic, partition, timestamp: LATEST_TIMESTAMP })),
      ),
    ]);
    return parts.map((partition, i) => ({ partition, earliest: earliest[i]!.offset, latest: latest[i]!.offset }));
  }

  /** Deletes records before `offset` (-1 = the high watermark); returns the new low watermarks. */
  async deleteRecords(
    requests: Array<{ topic: string; partition: number; offset: number }>,
    options: { timeoutMs?: number } = {},
  ): Promise<Array<{ topic: string; partition: number; lowWatermark: number }>> {
    await this.cluster.ensureTopics([...new Set(requests.map((r) => r.topic))]);
    const byLeader = new Map<number, typeof requests>();
    for (const r of requests) {
      const leader = await this.cluster.leaderFor(r.topic, r.partition);
      pushTo(byLeader, leader, r);
    }
    const out: Array<{ topic: string; partition: number; lowWatermark: number }> = [];
    for (const [leader, list] of byLeader) {
      const conn = await this.cluster.broker(leader);
      const topics = groupBy(list, (r) => r.topic);
      const res = await conn.request<DeleteRecordsResponse>(ApiKeys.DeleteRecords, {
        timeoutMs: options.timeoutMs ?? this.cluster.options.requestTimeoutMs,
        topics: [...topics].map(([name, ps]) => ({
          name,
          partitions: ps.map((p) => ({ partitionIndex: p.partition, offset: BigInt(p.offset) })),
        })),
      });
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== 0)
            throw new KafkaError(p.errorCode, { topic: t.name, partition: p.partitionIndex, api: 'DeleteRecords' });
          out.push({ topic: t.name, partition: p.partitionIndex, lowWatermark: Number(p.lowWatermark) });
        }
      }
    }
    return out;
  }

  /** Log dirs of the given brokers (default: all), with per-partition sizes. */
  async describeLogDirs(
    brokerIds?: number[],
    topics?: Array<{ topic: string; partitions: number[] }>,
  ): Promise<LogDirDescription[]> {
    await this.cluster.refreshMetadata();
    const ids = brokerIds ?? [...this.cluster.metadata.brokers.keys()];
    const out: LogDirDescription[] = [];
    for (const id of ids) {
      const conn = await this.cluster.broker(id);
      const res = await conn.request<DescribeLogDirsResponse>(ApiKeys.DescribeLogDirs, {
        topics: topics ? topics.map((t) => ({ topic: t.topic, partitions: t.partitions })) : null,
      });
      if (res.errorCode !== 0) throw new KafkaError(res.errorCode, { api: 'DescribeLogDirs' });
      for (const d of res.results) {
        out.push({
          broker: id,
          logDir: d.logDir,
          error: d.errorCode === 0 ? null : new KafkaError(d.errorCode).name,
          totalBytes: Number(d.totalBytes),
          usableBytes: Number(d.usableBytes),
          partitions: d.topics.flatMap((t) =>
            t.partitions.map((p) => ({
              topic: t.name,
              partition: p.partitionIndex,
              size: Number(p.partitionSize),
              offsetLag: Number(p.offsetLag),
              isFuture: p.isFutureKey,
            })),
          ),
        });
      }
    }
    return out;
  }
}

function firstError<T>(
  items: readonly T[],
  f: (t: T) => { code: number; topic?: string; msg: string | null },
  api: string,
): KafkaError | undefined {
  for (const it of items) {
    const { code, topic, msg } = f(it);
    if (code !== 0) return new KafkaError(code, { topic, api, serverMessage: msg });
  }
  return undefined;
}

export function uuidString(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export { ClientError };
