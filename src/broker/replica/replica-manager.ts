/**
 * ReplicaManager: the partitions this broker hosts and the operations on them — produce, fetch,
 * list offsets, delete records — independent of wire versions (handlers translate).
 * Owns the Partition objects and both purgatories. Partitions are created and removed from
 * metadata changes (becomeLeaderOrFollower / removeTopic), as Kafka's LeaderAndIsr/metadata-delta
 * path does, so replication can drive the same entry points.
 * Concurrency: event-loop only. A partition's appends are ordered by its log; purgatory checks run
 * after each append's high-watermark update.
 */
import type { Clock } from '../../common/clock.js';
import type { TopicConfig } from '../../common/config/topic-config.js';
import type { Logger } from '../../common/logger.js';
import { validateRecordBatches } from '../../protocol/records/validate.js';
import { allowFrameReuse, forbidFrameReuse } from '../../common/frame-pool.js';
import { logConfigFromProperties } from '../../storage/config.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP } from '../../storage/log/types.js';
import { E, toErrorCode } from '../errors.js';
import type { TopicState } from '../metadata/metadata-store.js';
import { DelayedFetch } from './delayed-fetch.js';
import { DelayedProduce, type ProducePartitionResult, type ProducePartitionStatus } from './delayed-produce.js';
import type { LogProvider } from './log-provider.js';
import { Partition, partitionKey } from './partition.js';
import { applyTopicCompression } from './recompress.js';
import { type DelayedOperation, Purgatory } from './purgatory.js';

export interface ProduceEntry {
  topic: string;
  partition: number;
  records: Buffer | null;
}

export interface FetchPartitionRequest {
  topic: string;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
}

export interface FetchPartitionResult {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  records: Buffer | null;
}

export interface FetchParams {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitions: FetchPartitionRequest[];
}

export interface ReplicaManagerOptions {
  nodeId: number;
  clock: Clock;
  logger: Logger;
  logs: LogProvider;
}

const FETCH_ERROR = (errorCode: number): FetchPartitionResult => ({
  errorCode,
  highWatermark: -1,
  lastStableOffset: -1,
  logStartOffset: -1,
  records: null,
});

export class ReplicaManager {
  private readonly partitions = new Map<string, Partition>();
  readonly producePurgatory: Purgatory<DelayedOperation>;
  readonly fetchPurgatory: Purgatory<DelayedOperation>;

  constructor(private readonly opts: ReplicaManagerOptions) {
    this.producePurgatory = new Purgatory('produce', opts.clock);
    this.fetchPurgatory = new Purgatory('fetch', opts.clock);
  }

  getPartition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(partitionKey(topic, partition));
  }

  allPartitions(): IterableIterator<Partition> {
    return this.partitions.values();
  }

  /** Creates (or updates) the local replicas of a topic's partitions assigned to this broker. */
  async becomeLeaderOrFollower(topic: TopicState, config: TopicConfig): Promise<void> {
    const logConfig = logConfigFromProperties(config.toProperties());
    for (const ps of topic.partitions) {
      if (!ps.replicas.includes(this.opts.nodeId)) continue;
      const key = partitionKey(topic.name, ps.partition);
      const existing = this.partitions.get(key);
      if (existing) {
        existing.state = ps;
        continue;
      }
      const log = await this.opts.logs.getOrCreateLog(
        { topic: topic.name, partition: ps.partition, topicId: topic.topicId },
        logConfig,
      );
      // Another call may have raced us while the log opened.
      if (!this.partitions.has(key)) {
        const p = new Partition(topic.name, ps.partition, topic.topicId, ps, log, config, this.opts.nodeId);
        this.partitions.set(key, p);
        // As sole ISR member after a restart, everything in the local log is committed.
        if (p.isLeader) p.maybeIncrementHighWatermark();
      }
    }
  }

  /** Applies changed topic configs to the topic's logs. */
  updateTopicConfig(topic: TopicState, config: TopicConfig): void {
    const logConfig = logConfigFromProperties(config.toProperties());
    for (const p of this.partitions.values()) {
      if (p.topic !== topic.name) continue;
      p.topicConfig = config;
      this.opts.logs.updateConfig({ topic: p.topic, partition: p.partition, topicId: p.topicId }, logConfig);
    }
  }

  async removeTopic(topic: TopicState): Promise<void> {
    for (const p of [...this.partitions.values()]) {
      if (p.topic !== topic.name) continue;
      this.partitions.delete(p.key);
      p.isDeleted = true;
      this.fetchPurgatory.checkAndComplete(p.key);
      this.producePurgatory.checkAndComplete(p.key);
      await this.opts.logs.deleteLog({ topic: p.topic, partition: p.partition, topicId: p.topicId });
    }
  }

  // ---- produce ----

  /**
   * Validates and appends each partition's batches; resolves when acks are satisfied. acks=0 and 1
   * answer after the local append, acks=-1 after the high watermark passes the append.
   */
  async appendRecords(
    acks: number,
    timeoutMs: number,
    entries: ProduceEntry[],
  ): Promise<Map<string, ProducePartitionResult>> {
    const statuses = new Map<string, ProducePartitionStatus>();
    if (entries.length === 1) {
      // The common case (one partition per request) without a closure and a Promise.all per request.
      const e = entries[0]!;
      statuses.set(partitionKey(e.topic, e.partition), await this.appendToPartition(acks, e));
    } else {
      await Promise.all(
        entries.map(async (e) => {
          const key = partitionKey(e.topic, e.partition);
          const status = await this.appendToPartition(acks, e);
          statuses.set(key, status);
        }),
      );
    }
    // Every append using the request's bytes has settled (appendToPartition never rejects): unless
    // the logs keep appended buffers, nothing here references them any more.
    const release = this.opts.logs.retainsAppendedBuffers ? forbidFrameReuse : allowFrameReuse;
    for (const e of entries) if (e.records !== null) release(e.records);
    for (const key of statuses.keys()) this.fetchPurgatory.checkAndComplete(key);
    if (acks !== -1) {
      const results = new Map<string, ProducePartitionResult>();
      for (const [k, st] of statuses) results.set(k, st.result);
      return results;
    }
    return new Promise((resolve) => {
      const op = new DelayedProduce(timeoutMs, statuses, resolve);
      this.producePurgatory.tryCompleteElseWatch(op, [...statuses.keys()]);
    });
  }

  private async appendToPartition(acks: number, e: ProduceEntry): Promise<ProducePartitionStatus> {
    const partition = this.getPartition(e.topic, e.partition);
    const fail = (errorCode: number, errorMessage: string | null = null): ProducePartitionStatus => ({
      partition,
      requiredOffset: -1,
      result: { errorCode, errorMessage, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 },
    });
    if (partition === undefined) return fail(E.UNKNOWN_TOPIC_OR_PARTITION);
    if (!partition.isLeader) return fail(E.NOT_LEADER_OR_FOLLOWER);
    const records = e.records;
    if (records === null || records.length === 0) return fail(E.CORRUPT_MESSAGE, 'produce request with no records');
    const cfg = partition.topicConfig;
    try {
      const batches = validateRecordBatches(records, { clientOrigin: true });
      const maxBytes = cfg.maxMessageBytes;
      const now = this.opts.clock.now();
      for (const b of batches) {
        if (b.sizeInBytes > maxBytes) {
          return fail(E.MESSAGE_TOO_LARGE, `batch of ${b.sizeInBytes} bytes exceeds max.message.bytes (${maxBytes})`);
        }
        if (cfg.messageTimestampType === 'CreateTime') {
          const before = cfg.number('message.timestamp.before.max.ms');
          const after = cfg.number('message.timestamp.after.max.ms');
          // Header-only (Kafka looks at every record): the oldest record is at least as old as
          // baseTimestamp, the newest is maxTimestamp.
          const oldest = Math.min(b.baseTimestamp, b.maxTimestamp);
          if (now - oldest > before || b.maxTimestamp - now > after) {
            return fail(E.INVALID_TIMESTAMP, `timestamp ${b.maxTimestamp} of a batch is out of the acceptable range`);
          }
        }
      }
      if (acks === -1 && partition.inSyncReplicaCount < cfg.minInsyncReplicas) {
        return fail(
          E.NOT_ENOUGH_REPLICAS,
          `ISR has ${partition.inSyncReplicaCount} replicas, min.insync.replicas is ${cfg.minInsyncReplicas}`,
        );
      }
      const stored = applyTopicCompression(records, batches, cfg);
      // Re-encoding may have grown a batch (e.g. to uncompressed): Kafka checks the size again.
      if (stored !== records) {
        for (const b of validateRecordBatches(stored, { verifyCrc: false })) {
          if (b.sizeInBytes > maxBytes)
            return fail(
              E.MESSAGE_TOO_LARGE,
              `recompressed batch of ${b.sizeInBytes} bytes exceeds max.message.bytes (${maxBytes})`,
            );
        }
      }
      const info = await partition.appendAsLeader(stored);
      return {
        partition,
        requiredOffset: info.lastOffset + 1,
        result: {
          errorCode: E.NONE,
          errorMessage: null,
          baseOffset: info.firstOffset,
          logAppendTimeMs: info.logAppendTimeMs,
          logStartOffset: info.logStartOffset,
        },
      };
    } catch (err) {
      const { code, message } = toErrorCode(err);
      if (code === E.UNKNOWN_SERVER_ERROR)
        this.opts.logger.error({ err, topic: e.topic, partition: e.partition }, 'append failed');
      return fail(code, message);
    }
  }

  // ---- fetch ----

  /** Reads each partition up to its high watermark; waits (long poll) while under minBytes. */
  async fetchMessages(params: FetchParams): Promise<FetchPartitionResult[]> {
    const first = await this.readPartitions(params);
    const bytes = first.reduce((n, r) => n + (r.records?.length ?? 0), 0);
    const anyError = first.some((r) => r.errorCode !== E.NONE);
    if (params.maxWaitMs <= 0 || params.partitions.length === 0 || bytes >= params.minBytes || anyError) return first;
    const parts = params.partitions.map((p) => this.getPartition(p.topic, p.partition));
    await new Promise<void>((resolve) => {
      const op = new DelayedFetch(params.maxWaitMs, parts, bytes, params.minBytes, resolve);
      this.fetchPurgatory.tryCompleteElseWatch(
        op,
        params.partitions.map((p) => partitionKey(p.topic, p.partition)),
      );
    });
    return this.readPartitions(params);
  }

  private async readPartitions(params: FetchParams): Promise<FetchPartitionResult[]> {
    const out: FetchPartitionResult[] = [];
    let budget = params.maxBytes;
    let minOneMessage = true;
    // Sequential on purpose: the response byte budget is shared in request order, as in Kafka.
    for (const req of params.partitions) {
      const p = this.getPartition(req.topic, req.partition);
      if (p === undefined) {
        out.push(FETCH_ERROR(E.UNKNOWN_TOPIC_OR_PARTITION));
        continue;
      }
      if (!p.isLeader) {
        out.push(FETCH_ERROR(E.NOT_LEADER_OR_FOLLOWER));
        continue;
      }
      if (req.currentLeaderEpoch >= 0 && req.currentLeaderEpoch !== p.leaderEpoch) {
        out.push(FETCH_ERROR(req.currentLeaderEpoch > p.leaderEpoch ? E.UNKNOWN_LEADER_EPOCH : E.FENCED_LEADER_EPOCH));
        continue;
      }
      const hw = p.highWatermark;
      const base = { highWatermark: hw, lastStableOffset: p.lastStableOffset, logStartOffset: p.logStartOffset };
      if (req.fetchOffset < p.logStartOffset || req.fetchOffset > p.logEndOffset) {
        out.push({ ...base, errorCode: E.OFFSET_OUT_OF_RANGE, records: null });
        continue;
      }
      if (req.fetchOffset >= hw || budget <= 0) {
        out.push({ ...base, errorCode: E.NONE, records: Buffer.alloc(0) });
        continue;
      }
      try {
        const data = await p.log.read(req.fetchOffset, {
          maxBytes: Math.min(req.partitionMaxBytes, budget),
          maxOffset: hw,
          minOneMessage,
        });
        budget -= data.records.length;
        if (data.records.length > 0) minOneMessage = false;
        out.push({ ...base, logStartOffset: data.logStartOffset, errorCode: E.NONE, records: data.records });
      } catch (err) {
        const { code } = toErrorCode(err);
        out.push({ ...base, errorCode: code, records: null });
      }
    }
    return out;
  }

  // ---- list offsets / delete records ----

  /** ListOffsets for one partition (consumer view: bounded by the high watermark). */
  async listOffset(
    topic: string,
    partition: number,
    timestamp: number,
    currentLeaderEpoch: number,
  ): Promise<{ errorCode: number; timestamp: number; offset: number; leaderEpoch: number }> {
    const p = this.getPartition(topic, partition);
    const none = { timestamp: -1, offset: -1, leaderEpoch: -1 };
    if (p === undefined) return { errorCode: E.UNKNOWN_TOPIC_OR_PARTITION, ...none };
    if (!p.isLeader) return { errorCode: E.NOT_LEADER_OR_FOLLOWER, ...none };
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch !== p.leaderEpoch) {
      return {
        errorCode: currentLeaderEpoch > p.leaderEpoch ? E.UNKNOWN_LEADER_EPOCH : E.FENCED_LEADER_EPOCH,
        ...none,
      };
    }
    if (timestamp === EARLIEST_TIMESTAMP || timestamp === -4) {
      return {
        errorCode: E.NONE,
        timestamp: -1,
        offset: p.logStartOffset,
        leaderEpoch: this.epochAt(p, p.logStartOffset),
      };
    }
    if (timestamp === LATEST_TIMESTAMP || timestamp === -5) {
      return {
        errorCode: E.NONE,
        timestamp: -1,
        offset: p.highWatermark,
        leaderEpoch: this.epochAt(p, p.highWatermark),
      };
    }
    try {
      const found = await p.log.fetchOffsetByTimestamp(timestamp === MAX_TIMESTAMP ? MAX_TIMESTAMP : timestamp);
      if (found === null || found.offset >= p.highWatermark) return { errorCode: E.NONE, ...none };
      return { errorCode: E.NONE, timestamp: found.timestamp, offset: found.offset, leaderEpoch: found.leaderEpoch };
    } catch (err) {
      return { errorCode: toErrorCode(err).code, ...none };
    }
  }

  private epochAt(p: Partition, offset: number): number {
    const e = p.log.leaderEpochCache.epochForOffset(offset);
    return e >= 0 ? e : p.leaderEpoch;
  }

  /** DeleteRecords: offset -1 means the high watermark. Returns the new low watermark. */
  async deleteRecords(
    topic: string,
    partition: number,
    offset: number,
  ): Promise<{ errorCode: number; lowWatermark: number }> {
    const p = this.getPartition(topic, partition);
    if (p === undefined) return { errorCode: E.UNKNOWN_TOPIC_OR_PARTITION, lowWatermark: -1 };
    if (!p.isLeader) return { errorCode: E.NOT_LEADER_OR_FOLLOWER, lowWatermark: -1 };
    const target = offset === -1 ? p.highWatermark : offset;
    if (target < 0 || target > p.highWatermark) return { errorCode: E.OFFSET_OUT_OF_RANGE, lowWatermark: -1 };
    try {
      const low = await p.log.deleteRecordsTo(target);
      return { errorCode: E.NONE, lowWatermark: low };
    } catch (err) {
      return { errorCode: toErrorCode(err).code, lowWatermark: -1 };
    }
  }

  describeLogDirs() {
    return this.opts.logs.describeLogDirs();
  }

  /** Shutdown: answer every waiting request, then close the logs (checkpoints written). */
  async close(): Promise<void> {
    this.producePurgatory.forceCompleteAll();
    this.fetchPurgatory.forceCompleteAll();
    await this.opts.logs.close();
  }
}
