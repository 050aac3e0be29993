/**
 * GroupStore: the coordinator's persistence in __consumer_offsets (Kafka's GroupMetadataManager).
 * Owns the topic's creation on demand, which partitions this broker coordinates and whether they
 * are loaded, the in-memory groups of those partitions, and every write to the topic.
 *
 * Format: see offsets-records.ts. One write = one uncompressed RecordBatch appended with acks=all
 * semantics (ReplicaManager.appendRecords(-1)); the in-memory state changes only after the
 * append succeeds, so what clients were told matches what a reload will find.
 * Loading: a partition's log is read from its start to the high watermark in order; the last
 * record per key wins and tombstones remove. Groups become Stable (members) or Empty (none).
 * Invariants: a group lives in `groups` only while its partition is loaded here; a partition is
 * either absent (not ours), 'loading' or 'loaded'.
 * Concurrency: event-loop only. Appends to one partition complete in log order (the log's queue),
 * so cache updates applied on completion follow the log.
 */
import type { Clock } from '../../common/clock.js';
import type { BrokerConfig } from '../../common/config/broker-config.js';
import type { Logger } from '../../common/logger.js';
import type { GroupMetadataValue } from '../../protocol/messages/group-metadata-value.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../protocol/records/index.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import { partitionKey } from '../replica/partition.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import type { TopicManager } from '../topic-manager.js';
import { ClassicGroup } from './classic-group.js';
import { G, appendErrorToCoordinatorError } from './codes.js';
import { MemberMetadata } from './member.js';
import {
  type CommittedOffset,
  groupMetadataKey,
  groupMetadataValue,
  offsetCommitKey,
  offsetCommitValue,
  parseOffsetsRecord,
} from './offsets-records.js';
import { GROUP_METADATA_TOPIC, partitionForGroup } from './partitioner.js';

const MIN_SEGMENT_BYTES = 1024 * 1024;

export interface GroupStoreOptions {
  config: BrokerConfig;
  clock: Clock;
  logger: Logger;
  replicas: ReplicaManager;
  topics: TopicManager;
  metadata: MetadataStore;
  /** Called for each group rebuilt by a load (the coordinator arms its members' session timers). */
  onGroupLoaded(group: ClassicGroup): void;
  /** Called for each group dropped when a partition is no longer ours. */
  onGroupUnloaded(group: ClassicGroup): void;
}

type RecordInput = { key: Buffer; value: Buffer | null };

export class GroupStore {
  readonly groups = new Map<string, ClassicGroup>();
  private readonly partitions = new Map<number, 'loading' | 'loaded'>();
  private creating: Promise<void> | undefined;
  private readonly loads = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly opts: GroupStoreOptions) {}

  get numPartitions(): number {
    return (
      this.opts.metadata.topic(GROUP_METADATA_TOPIC)?.partitions.length ??
      this.opts.config.int('offsets.topic.num.partitions')
    );
  }

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.numPartitions);
  }

  /** NONE when this broker coordinates the group and has it loaded; else the error to answer. */
  groupStatus(groupId: string): number {
    const state = this.partitions.get(this.partitionFor(groupId));
    if (state === 'loaded') return G.NONE;
    if (state === 'loading') return G.COORDINATOR_LOAD_IN_PROGRESS;
    return G.NOT_COORDINATOR;
  }

  isPartitionLoaded(partition: number): boolean {
    return this.partitions.get(partition) === 'loaded';
  }

  /** Loads every partition of the topic this broker leads (broker start). */
  async startup(): Promise<void> {
    const topic = this.opts.metadata.topic(GROUP_METADATA_TOPIC);
    if (topic === undefined) return;
    await Promise.all(topic.partitions.map((p) => this.loadPartition(p.partition)));
  }

  /**
   * Creates __consumer_offsets if it does not exist (FindCoordinator's first use), with
   * offsets.topic.num.partitions and compaction, and loads its (empty) partitions. Kafka answers
   * COORDINATOR_NOT_AVAILABLE while the topic is being created; here the caller waits instead,
   * which saves every client a retry round.
   */
  async ensureTopic(): Promise<void> {
    if (this.opts.metadata.topic(GROUP_METADATA_TOPIC) !== undefined) {
      if (this.partitions.size === 0 && this.loads.size === 0) await this.startup();
      return;
    }
    this.creating ??= (async () => {
      const cfg = this.opts.config;
      const brokers = this.opts.metadata.brokers().length;
      // Kafka refuses to create the topic until enough brokers exist; a single-node Vltava would
      // then never serve groups with the default of 3, so the factor is capped at the broker count.
      const rf = Math.max(1, Math.min(cfg.int('offsets.topic.replication.factor'), brokers));
      const segmentBytes = Math.max(MIN_SEGMENT_BYTES, cfg.int('offsets.topic.segment.bytes'));
      await this.opts.topics.createTopic({
        name: GROUP_METADATA_TOPIC,
        numPartitions: cfg.int('offsets.topic.num.partitions'),
        replicationFactor: rf,
        configs: new Map([
          ['cleanup.policy', 'compact'],
          ['segment.bytes', String(segmentBytes)],
          ['compression.type', 'producer'],
        ]),
      });
      await this.startup();
    })();
    try {
      await this.creating;
    } finally {
      this.creating = undefined;
    }
  }

  // ---- loading ----

  loadPartition(partition: number): Promise<void> {
    if (this.partitions.has(partition) || this.closed) return Promise.resolve();
    const p = this.opts.replicas.getPartition(GROUP_METADATA_TOPIC, partition);
    if (p === undefined || !p.isLeader) return Promise.resolve();
    this.partitions.set(partition, 'loading');
    const started = this.opts.clock.monotonic();
    const load = this.doLoad(partition)
      .then((n) => {
        if (this.partitions.get(partition) !== 'loading') return;
        this.partitions.set(partition, 'loaded');
        if (n > 0)
          this.opts.logger.info(
            { partition, groups: n, ms: Math.round(this.opts.clock.monotonic() - started) },
            'loaded group metadata',
          );
      })
      .catch((err: unknown) => {
        // A partition that cannot be read is not served (NOT_COORDINATOR) rather than served wrong.
        this.partitions.delete(partition);
        this.opts.logger.error({ err, partition }, 'failed to load group metadata partition');
      })
      .finally(() => this.loads.delete(load));
    this.loads.add(load);
    return load;
  }

  private async doLoad(partition: number): Promise<number> {
    const p = this.opts.replicas.getPartition(GROUP_METADATA_TOPIC, partition)!;
    const loadBytes = this.opts.config.int('offsets.load.buffer.size');
    const offsets = new Map<string, Map<string, { topic: string; partition: number; value: CommittedOffset | null }>>();
    const metadata = new Map<string, GroupMetadataValue | null>();
    let next = p.logStartOffset;
    const hw = p.highWatermark;
    while (next < hw) {
      const data = await p.log.read(next, { maxBytes: loadBytes, maxOffset: hw, minOneMessage: true });
      if (data.records.length === 0) break;
      const from = next;
      for (const batch of decodeRecordBatches(data.records)) {
        next = Math.max(next, batch.baseOffset + batch.lastOffsetDelta + 1);
        if (batch.isControl) continue;
        for (const rec of batch.records) {
          if (rec.offset < from) continue;
          let parsed: ReturnType<typeof parseOffsetsRecord>;
          try {
            parsed = parseOffsetsRecord(rec.key, rec.value);
          } catch (err) {
            this.opts.logger.warn(
              { err, partition, offset: rec.offset },
              'skipping unreadable record in __consumer_offsets',
            );
            continue;
          }
          if (parsed.type === 'offset') {
            let g = offsets.get(parsed.group);
            if (g === undefined) {
              g = new Map();
              offsets.set(parsed.group, g);
            }
            g.set(`${parsed.topic}\0${parsed.partition}`, parsed);
          } else if (parsed.type === 'group') {
            metadata.set(parsed.group, parsed.value);
          }
        }
      }
    }
    if (this.closed || this.partitions.get(partition) !== 'loading') return 0;
    const now = this.opts.clock.now();
    let loaded = 0;
    for (const groupId of new Set([...offsets.keys(), ...metadata.keys()])) {
      const meta = metadata.get(groupId) ?? null;
      const offs = [...(offsets.get(groupId)?.values() ?? [])].filter((o) => o.value !== null);
      if (meta === null && offs.length === 0) continue;
      const group = meta !== null ? groupFromRecord(groupId, meta, now) : new ClassicGroup(groupId, 'Empty', now);
      for (const o of offs) group.setOffset(o.topic, o.partition, o.value!);
      this.groups.set(groupId, group);
      this.opts.onGroupLoaded(group);
      loaded++;
    }
    return loaded;
  }

  /** Drops every group of a partition that is no longer ours (topic deleted, leadership moved). */
  unloadPartition(partition: number): void {
    this.partitions.delete(partition);
    for (const [id, g] of this.groups) {
      if (this.partitionFor(id) !== partition) continue;
      this.groups.delete(id);
      this.opts.onGroupUnloaded(g);
    }
  }

  unloadAll(): void {
    for (const p of [...this.partitions.keys()]) this.unloadPartition(p);
  }

  // ---- writes ----

  private async append(groupId: string, records: RecordInput[]): Promise<number> {
    const partition = this.partitionFor(groupId);
    if (this.partitions.get(partition) !== 'loaded') return G.NOT_COORDINATOR;
    const now = this.opts.clock.now();
    const batch = encodeRecordBatch({ records: records.map((r) => ({ key: r.key, value: r.value, timestamp: now })) });
    try {
      const res = await this.opts.replicas.appendRecords(-1, this.opts.config.int('offsets.commit.timeout.ms'), [
        { topic: GROUP_METADATA_TOPIC, partition, records: batch },
      ]);
      return res.get(partitionKey(GROUP_METADATA_TOPIC, partition))?.errorCode ?? G.UNKNOWN_SERVER_ERROR;
    } catch (err) {
      this.opts.logger.error({ err, groupId, partition }, 'append to __consumer_offsets failed');
      return G.UNKNOWN_SERVER_ERROR;
    }
  }

  /** Persists the group's metadata with the given assignment; resolves to the error for clients. */
  async storeGroup(group: ClassicGroup, assignment: Map<string, Buffer>): Promise<number> {
    const value = groupMetadataValue(groupToRecord(group, assignment));
    const code = await this.append(group.groupId, [{ key: groupMetadataKey(group.groupId), value }]);
    if (code !== G.NONE)
      this.opts.logger.warn({ groupId: group.groupId, errorCode: code }, 'failed to store group metadata');
    return appendErrorToCoordinatorError(code, false);
  }

  /**
   * Persists committed offsets; on success they become visible in the group. Resolves to the error
   * for clients (the same for every partition of one write, as Kafka's one-batch commit).
   */
  async storeOffsets(
    group: ClassicGroup,
    commits: Array<{ topic: string; partition: number; value: CommittedOffset }>,
  ): Promise<number> {
    if (commits.length === 0) return G.NONE;
    const keys = commits.map((c) => `${c.topic}\0${c.partition}`);
    for (const k of keys) group.pendingOffsetCommits.set(k, (group.pendingOffsetCommits.get(k) ?? 0) + 1);
    let code: number;
    try {
      code = await this.append(
        group.groupId,
        commits.map((c) => ({
          key: offsetCommitKey(group.groupId, c.topic, c.partition),
          value: offsetCommitValue(c.value),
        })),
      );
    } finally {
      for (const k of keys) {
        const n = (group.pendingOffsetCommits.get(k) ?? 1) - 1;
        if (n <= 0) group.pendingOffsetCommits.delete(k);
        else group.pendingOffsetCommits.set(k, n);
      }
    }
    if (code === G.NONE && !group.is('Dead')) {
      for (const c of commits) group.setOffset(c.topic, c.partition, c.value);
    }
    return appendErrorToCoordinatorError(code, true);
  }

  /** Tombstones for offsets (and the group record when `includeGroup`). */
  async storeTombstones(
    groupId: string,
    offsets: Array<{ topic: string; partition: number }>,
    includeGroup: boolean,
  ): Promise<number> {
    const records: RecordInput[] = offsets.map((o) => ({
      key: offsetCommitKey(groupId, o.topic, o.partition),
      value: null,
    }));
    if (includeGroup) records.push({ key: groupMetadataKey(groupId), value: null });
    if (records.length === 0) return G.NONE;
    return appendErrorToCoordinatorError(await this.append(groupId, records), true);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.loads]);
  }
}

function groupToRecord(group: ClassicGroup, assignment: Map<string, Buffer>): GroupMetadataValue {
  const protocol = group.protocolName;
  return {
    protocolType: group.protocolType ?? '',
    generation: group.generationId,
    protocol,
    leader: group.leaderId,
    currentStateTimestamp: BigInt(group.currentStateTimestamp),
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      sessionTimeout: m.sessionTimeoutMs,
      subscription: (protocol !== null ? m.metadata(protocol) : undefined) ?? Buffer.alloc(0),
      assignment: assignment.get(m.memberId) ?? Buffer.alloc(0),
    })),
  };
}

/** Kafka's GroupMetadata.loadGroup: members come back with the selected protocol only. */
function groupFromRecord(groupId: string, v: GroupMetadataValue, now: number): ClassicGroup {
  const state = v.members.length === 0 ? 'Empty' : 'Stable';
  const g = new ClassicGroup(groupId, state, v.currentStateTimestamp >= 0n ? Number(v.currentStateTimestamp) : now);
  // Kafka writes "" for a group without a protocol type (one used only to store offsets).
  g.protocolType = v.protocolType === '' ? null : v.protocolType;
  g.generationId = v.generation;
  g.protocolName = v.protocol;
  for (const mm of v.members) {
    const protocols = v.protocol !== null ? [{ name: v.protocol, metadata: Buffer.from(mm.subscription) }] : [];
    const m = new MemberMetadata(
      mm.memberId,
      mm.groupInstanceId,
      mm.clientId,
      mm.clientHost,
      mm.rebalanceTimeout,
      mm.sessionTimeout,
      v.protocolType,
      protocols,
    );
    m.assignment = Buffer.from(mm.assignment);
    g.add(m);
  }
  g.leaderId = v.leader !== null && g.has(v.leader) ? v.leader : g.leaderId;
  g.subscribedTopics = g.computeSubscribedTopics();
  return g;
}
