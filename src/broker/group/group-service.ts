/**
 * GroupService: the broker's consumer-group subsystem as one object — the coordinator (membership
 * and timers), its store in __consumer_offsets, offsets and admin operations — with the lifecycle
 * the broker drives (startup loads the topic; shutdown answers waiting members NOT_COORDINATOR and
 * stops every timer). Handlers for API keys 8-16, 42 and 47 call it; nothing else keeps group state.
 *
 * Concurrency: event-loop only; see coordinator.ts and group-store.ts for their contracts.
 */
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { BrokerConfig } from '../../common/config/broker-config.js';
import type { Logger } from '../../common/logger.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import type { TopicManager } from '../topic-manager.js';
import { G } from './codes.js';
import { GroupCoordinator, type JoinGroupParams, type LeaveResult, type SyncGroupParams } from './coordinator.js';
import {
  type DescribedGroup,
  type GroupLag,
  type ListedGroup,
  deleteGroup,
  describeGroup,
  describeLag,
  expireOffsets,
  listGroups,
} from './group-admin.js';
import {
  type FetchedOffsets,
  type OffsetCommitParams,
  type PartitionErrors,
  commitOffsets,
  deleteOffsets,
  fetchOffsets,
} from './group-offsets.js';
import { GroupStore } from './group-store.js';
import type { JoinResult, SyncResult } from './member.js';
import { GROUP_METADATA_TOPIC } from './partitioner.js';

export interface GroupServiceOptions {
  config: BrokerConfig;
  clock: Clock;
  logger: Logger;
  replicas: ReplicaManager;
  topics: TopicManager;
  metadata: MetadataStore;
}

export class GroupService {
  readonly coordinator: GroupCoordinator;
  readonly store: GroupStore;
  private cleanupTimer: TimerHandle | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly opts: GroupServiceOptions) {
    const logger = opts.logger.child({ component: 'group-coordinator' });
    this.coordinator = new GroupCoordinator({ config: opts.config, clock: opts.clock, logger });
    this.store = new GroupStore({
      ...opts,
      logger,
      onGroupLoaded: (g) => this.coordinator.onGroupLoaded(g),
      onGroupUnloaded: (g) => this.coordinator.onGroupUnloaded(g),
    });
    this.coordinator.store = this.store;
  }

  /** Loads the partitions of __consumer_offsets this broker leads and starts offset expiry. */
  async startup(): Promise<void> {
    this.unsubscribe = this.opts.metadata.onChange((change) => {
      if (change.type === 'topic-deleted' && change.topic.name === GROUP_METADATA_TOPIC) this.store.unloadAll();
    });
    await this.store.startup();
    this.cleanupTimer = this.opts.clock.setInterval(() => {
      void this.expireOffsets().catch((err: unknown) => this.opts.logger.error({ err }, 'offset expiration failed'));
    }, this.opts.config.long('offsets.retention.check.interval.ms'));
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cleanupTimer?.cancel();
    this.unsubscribe?.();
    this.store.unloadAll();
    await this.store.close();
  }

  // ---- FindCoordinator ----

  /**
   * The broker leading the group's partition of __consumer_offsets (created on first use), or an
   * error code (COORDINATOR_NOT_AVAILABLE while there is no leader or the topic cannot be made).
   */
  async findCoordinator(groupId: string): Promise<{ errorCode: number; nodeId: number }> {
    if (this.stopped) return { errorCode: G.COORDINATOR_NOT_AVAILABLE, nodeId: -1 };
    try {
      await this.store.ensureTopic();
    } catch (err) {
      this.opts.logger.error({ err }, 'cannot create __consumer_offsets');
      return { errorCode: G.COORDINATOR_NOT_AVAILABLE, nodeId: -1 };
    }
    const topic = this.opts.metadata.topic(GROUP_METADATA_TOPIC);
    const leader = topic?.partitions[this.store.partitionFor(groupId)]?.leader ?? -1;
    if (leader < 0) return { errorCode: G.COORDINATOR_NOT_AVAILABLE, nodeId: -1 };
    return { errorCode: G.NONE, nodeId: leader };
  }

  // ---- membership ----

  joinGroup(p: JoinGroupParams): Promise<JoinResult> {
    return this.coordinator.joinGroup(p);
  }

  syncGroup(p: SyncGroupParams): Promise<SyncResult> {
    return this.coordinator.syncGroup(p);
  }

  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    return this.coordinator.heartbeat(groupId, memberId, groupInstanceId, generationId);
  }

  leaveGroup(
    groupId: string,
    members: Array<{ memberId: string; groupInstanceId: string | null; reason: string | null }>,
  ): LeaveResult {
    return this.coordinator.leaveGroup(groupId, members);
  }

  // ---- offsets ----

  commitOffsets(p: OffsetCommitParams): Promise<PartitionErrors> {
    return commitOffsets(this.coordinator, p, (topic, partition) => {
      const t = this.opts.metadata.topic(topic);
      return t !== undefined && partition >= 0 && partition < t.partitions.length;
    });
  }

  fetchOffsets(groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }> | null): FetchedOffsets {
    return fetchOffsets(this.coordinator, groupId, topics);
  }

  deleteOffsets(
    groupId: string,
    topics: Array<{ name: string; partitions: number[] }>,
  ): Promise<{ errorCode: number; topics: PartitionErrors }> {
    return deleteOffsets(this.coordinator, groupId, topics, (t) => this.opts.metadata.topic(t) !== undefined);
  }

  // ---- admin ----

  listGroups(statesFilter: string[] = [], typesFilter: string[] = []): ListedGroup[] {
    return listGroups(this.coordinator, statesFilter, typesFilter);
  }

  describeGroup(groupId: string): DescribedGroup {
    return describeGroup(this.coordinator, groupId);
  }

  deleteGroup(groupId: string): Promise<number> {
    return deleteGroup(this.coordinator, groupId);
  }

  /** One offset-expiry pass now (the interval timer runs the same). */
  expireOffsets(): Promise<number> {
    return expireOffsets(this.coordinator);
  }

  /** Per member: assigned partitions with committed offset, log end offset and lag; null if no such group. */
  describeLag(groupId: string): GroupLag | null {
    return describeLag(this.coordinator, this.opts.replicas, groupId);
  }
}
