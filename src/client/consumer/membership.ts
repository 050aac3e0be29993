/**
 * GroupMembership: one consumer's membership in a classic-protocol group — join, sync,
 * heartbeat, leave — and the group's committed offsets.
 *
 * Threading contract (one event loop, but two "paths"): joins and syncs run on the consumer's
 * poll path (`ensureActive`, awaited by poll/next), so rebalance listeners run between the
 * user's records exactly as in Java. Heartbeats run on their own timer, on the coordinator
 * connection (separate from fetch connections so a long-poll never delays them), and never wait
 * for the user: a slow handler does not make the member miss its session timeout as long as it
 * yields the event loop. A handler that does not ask for the next record within
 * max.poll.interval.ms is taken out of the group (LeaveGroup), as Java does, and rejoins on its
 * next poll.
 *
 * Eager vs cooperative: eager revokes everything before joining; cooperative (all assignors
 * cooperative) keeps its partitions through the join, revokes only what the new assignment
 * takes away, and rejoins at once when it revoked something so the partitions can move.
 */
import {
  ApiKeys,
  type HeartbeatResponse,
  type JoinGroupResponse,
  type OffsetCommitResponse,
  type OffsetFetchResponse,
  type SyncGroupResponse,
} from '../../protocol/messages/index.js';
import { ClientError, KafkaError } from '../errors.js';
import type { Cluster } from '../net/cluster.js';
import { CoordinatorCache } from '../net/coordinator.js';
import { rebalanceChannel } from '../net/diagnostics.js';
import { backoffMs, withRetries } from '../net/retry.js';
import { ASSIGNORS, type Assignor, type MemberSubscription } from './assignors.js';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  type TopicPartition,
  tpKey,
} from './protocol.js';
import { pushTo } from '../collections.js';

export interface MembershipOptions {
  groupId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  assignors: Assignor[];
  rackId: string | null;
}

export interface RebalanceHandlers {
  onRevoke(partitions: TopicPartition[]): Promise<void>;
  onAssign(partitions: TopicPartition[]): Promise<void>;
  onLost(partitions: TopicPartition[]): Promise<void>;
  /** Something changed that the poll path must act on (rejoin needed). */
  wakeup(): void;
}

export interface CommitOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch?: number;
  metadata?: string | null;
}

const E = {
  REBALANCE_IN_PROGRESS: 27,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  MEMBER_ID_REQUIRED: 79,
  FENCED_INSTANCE_ID: 82,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  UNSTABLE_OFFSET_COMMIT: 88,
};
const COORDINATOR_ERRORS = new Set([E.COORDINATOR_LOAD_IN_PROGRESS, E.COORDINATOR_NOT_AVAILABLE, E.NOT_COORDINATOR]);

export class GroupMembership {
  readonly coordinators: CoordinatorCache;
  memberId = '';
  generationId = -1;
  protocolName: string | null = null;
  leaderId = '';
  /** Partitions this member owns now. */
  assignment: TopicPartition[] = [];
  topics: string[] = [];
  needsRejoin = true;
  private lostPending = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private lastHeartbeatOk = Date.now();
  lastPollAt = Date.now();
  private stopped = false;
  private joining: Promise<void> | undefined;
  readonly cooperative: boolean;

  constructor(
    private readonly cluster: Cluster,
    readonly o: MembershipOptions,
    private readonly handlers: RebalanceHandlers,
  ) {
    this.coordinators = new CoordinatorCache(cluster);
    this.cooperative = o.assignors.every((a) => a.rebalanceProtocol === 'cooperative');
  }

  private publish(phase: string, extra: Record<string, unknown> = {}): void {
    if (rebalanceChannel.hasSubscribers)
      rebalanceChannel.publish({
        groupId: this.o.groupId,
        memberId: this.memberId,
        generationId: this.generationId,
        phase,
        ...extra,
      });
  }

  subscribe(topics: string[]): void {
    const changed = topics.slice().sort().join() !== this.topics.slice().sort().join();
    this.topics = [...topics];
    if (changed) this.requestRejoin();
  }

  requestRejoin(): void {
    this.needsRejoin = true;
    this.handlers.wakeup();
  }

  /** Joins (or rejoins) until the member has a stable assignment. Poll path only. */
  ensureActive(): Promise<void> {
    this.joining ??= this.joinLoop().finally(() => {
      this.joining = undefined;
    });
    return this.joining;
  }

  private async joinLoop(): Promise<void> {
    if (this.lostPending) {
      this.lostPending = false;
      const lost = this.assignment;
      this.assignment = [];
      if (lost.length > 0) await this.handlers.onLost(lost);
    }
    let attempt = 0;
    while (this.needsRejoin && !this.stopped) {
      try {
        if (!this.cooperative && this.assignment.length > 0) {
          const revoked = this.assignment;
          await this.handlers.onRevoke(revoked);
          this.assignment = [];
        }
        await this.joinAndSync();
        attempt = 0;
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof KafkaError && !this.retriableJoinError(err)) throw err;
        if (!(err instanceof KafkaError) && !(err as ClientError).retriable) throw err;
        await sleep(backoffMs(attempt++, this.cluster.options.retryBackoffMs, this.cluster.options.retryBackoffMaxMs));
      }
    }
  }

  private retriableJoinError(err: KafkaError): boolean {
    if (COORDINATOR_ERRORS.has(err.code)) {
      this.coordinators.invalidate(this.o.groupId);
      return true;
    }
    if (err.code === E.UNKNOWN_MEMBER_ID || err.code === E.ILLEGAL_GENERATION) {
      if (err.code === E.UNKNOWN_MEMBER_ID) this.memberId = '';
      this.generationId = -1;
      return true;
    }
    return err.code === E.REBALANCE_IN_PROGRESS || err.code === E.MEMBER_ID_REQUIRED || err.retriable;
  }

  private async joinAndSync(): Promise<void> {
    this.stopHeartbeats();
    this.publish('join');
    const conn = await this.coordinators.connection(this.o.groupId);
    const metadata = encodeSubscription({
      topics: this.topics,
      userData: null,
      ownedPartitions: this.cooperative ? this.assignment : [],
      generationId: this.generationId,
      rackId: this.o.rackId,
    });
    let join: JoinGroupResponse;
    for (;;) {
      join = await conn
        .request<JoinGroupResponse>(
          ApiKeys.JoinGroup,
          {
            groupId: this.o.groupId,
            sessionTimeoutMs: this.o.sessionTimeoutMs,
            rebalanceTimeoutMs: this.o.rebalanceTimeoutMs,
            memberId: this.memberId,
            groupInstanceId: this.o.groupInstanceId,
            protocolType: 'consumer',
            protocols: this.o.assignors.map((a) => ({ name: a.name, metadata })),
            reason: null,
          },
          { timeoutMs: this.o.rebalanceTimeoutMs + 5_000 },
        )
        .catch((err) => {
          this.coordinators.handleError(this.o.groupId, err);
          throw err;
        });
      if (join.errorCode === E.MEMBER_ID_REQUIRED) {
        this.memberId = join.memberId; // KIP-394: rejoin at once with the id the coordinator gave
        continue;
      }
      break;
    }
    if (join.errorCode !== 0) throw new KafkaError(join.errorCode, { groupId: this.o.groupId, api: 'JoinGroup' });
    this.memberId = join.memberId;
    this.generationId = join.generationId;
    this.protocolName = join.protocolName;
    this.leaderId = join.leader;
    const isLeader = join.leader === join.memberId;
    const assignments = isLeader && !join.skipAssignment ? await this.leaderAssign(join) : [];
    const sync = await conn
      .request<SyncGroupResponse>(
        ApiKeys.SyncGroup,
        {
          groupId: this.o.groupId,
          generationId: this.generationId,
          memberId: this.memberId,
          groupInstanceId: this.o.groupInstanceId,
          protocolType: 'consumer',
          protocolName: this.protocolName,
          assignments,
        },
        { timeoutMs: this.o.rebalanceTimeoutMs + 5_000 },
      )
      .catch((err) => {
        this.coordinators.handleError(this.o.groupId, err);
        throw err;
      });
    if (sync.errorCode !== 0) throw new KafkaError(sync.errorCode, { groupId: this.o.groupId, api: 'SyncGroup' });
    const next = decodeAssignment(sync.assignment);
    this.needsRejoin = false;
    this.lastHeartbeatOk = Date.now();
    this.startHeartbeats();
    const nextKeys = new Set(next.map((tp) => tpKey(tp.topic, tp.partition)));
    const ownedKeys = new Set(this.assignment.map((tp) => tpKey(tp.topic, tp.partition)));
    const revoked = this.assignment.filter((tp) => !nextKeys.has(tpKey(tp.topic, tp.partition)));
    const added = next.filter((tp) => !ownedKeys.has(tpKey(tp.topic, tp.partition)));
    this.publish('assigned', { leader: isLeader, protocol: this.protocolName, assigned: added, revoked });
    if (revoked.length > 0) {
      await this.handlers.onRevoke(revoked);
      // the partitions we gave up can only move to their new owner after another round
      if (this.cooperative) this.needsRejoin = true;
    }
    this.assignment = next;
    if (added.length > 0) await this.handlers.onAssign(added);
  }

  private async leaderAssign(join: JoinGroupResponse): Promise<Array<{ memberId: string; assignment: Buffer }>> {
    const assignor = ASSIGNORS[join.protocolName ?? ''] ?? this.o.assignors.find((a) => a.name === join.protocolName);
    if (!assignor)
      throw new ClientError(
        'ERR_CLIENT_PROTOCOL',
        `the group chose assignor ${join.protocolName}, which this consumer does not have`,
      );
    const members: MemberSubscription[] = join.members.map((m) => {
      const s = decodeSubscription(m.metadata);
      return {
        memberId: m.memberId,
        topics: s.topics,
        ownedPartitions: s.ownedPartitions,
        generationId: s.generationId,
      };
    });
    const topics = [...new Set(members.flatMap((m) => m.topics))];
    const infos = await this.cluster.ensureTopics(topics, { required: false });
    const partitionsPerTopic = new Map<string, number>();
    for (const t of topics) {
      const info = infos.get(t);
      if (info && info.partitions.length > 0) partitionsPerTopic.set(t, info.partitions.length);
    }
    const result = assignor.assign(members, partitionsPerTopic);
    return members.map((m) => ({ memberId: m.memberId, assignment: encodeAssignment(result.get(m.memberId) ?? []) }));
  }

  private startHeartbeats(): void {
    this.stopHeartbeats();
    if (this.stopped) return;
    this.heartbeatTimer = setTimeout(() => void this.heartbeat(), this.o.heartbeatIntervalMs);
  }

  private stopHeartbeats(): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private async heartbeat(): Promise<void> {
    if (this.stopped || this.needsRejoin) return;
    if (Date.now() - this.lastPollAt > this.o.maxPollIntervalMs) {
      // the application stopped polling: give the partitions to someone who will process them
      this.cluster.logger.warn(
        { groupId: this.o.groupId, maxPollIntervalMs: this.o.maxPollIntervalMs },
        'max.poll.interval.ms exceeded: leaving the group; the consumer rejoins on its next poll',
      );
      this.publish('poll-timeout');
      await this.leave('consumer poll timeout has expired').catch(() => {});
      this.memberId = '';
      this.generationId = -1;
      this.lostPending = true;
      this.requestRejoin();
      return;
    }
    try {
      const conn = await this.coordinators.connection(this.o.groupId);
      const res = await conn.request<HeartbeatResponse>(
        ApiKeys.Heartbeat,
        {
          groupId: this.o.groupId,
          generationId: this.generationId,
          memberId: this.memberId,
          groupInstanceId: this.o.groupInstanceId,
        },
        { timeoutMs: Math.max(this.o.heartbeatIntervalMs, 1_000) * 2 },
      );
      if (res.errorCode === 0) {
        this.lastHeartbeatOk = Date.now();
      } else if (res.errorCode === E.REBALANCE_IN_PROGRESS) {
        this.publish('rebalance-in-progress');
        this.requestRejoin();
        return;
      } else if (
        res.errorCode === E.UNKNOWN_MEMBER_ID ||
        res.errorCode === E.ILLEGAL_GENERATION ||
        res.errorCode === E.FENCED_INSTANCE_ID
      ) {
        if (res.errorCode === E.FENCED_INSTANCE_ID)
          this.cluster.logger.error(
            { groupId: this.o.groupId },
            'fenced by another member with the same group.instance.id',
          );
        if (res.errorCode === E.UNKNOWN_MEMBER_ID) this.memberId = '';
        this.generationId = -1;
        this.lostPending = true;
        this.publish('lost', { error: new KafkaError(res.errorCode).name });
        this.requestRejoin();
        return;
      } else if (COORDINATOR_ERRORS.has(res.errorCode)) {
        this.coordinators.invalidate(this.o.groupId);
      }
    } catch (err) {
      this.coordinators.handleError(this.o.groupId, err);
    }
    if (Date.now() - this.lastHeartbeatOk > this.o.sessionTimeoutMs) {
      // the coordinator has surely expired us: our partitions are someone else's now
      this.lostPending = true;
      this.memberId = '';
      this.requestRejoin();
      return;
    }
    this.startHeartbeats();
  }

  /** Leaves the group (close, or max.poll.interval.ms exceeded). Static members just stop. */
  async leave(reason = 'the consumer is being closed'): Promise<void> {
    this.stopHeartbeats();
    if (this.memberId === '' || this.o.groupInstanceId !== null) return;
    // not the coordinator connection: a JoinGroup parked there would hold the LeaveGroup behind it
    const conn = await this.coordinators.connection(this.o.groupId, 'default');
    const batched = (conn.versionOf(ApiKeys.LeaveGroup) ?? 0) >= 3; // v3+ names members in a list
    await conn.request(
      ApiKeys.LeaveGroup,
      {
        groupId: this.o.groupId,
        memberId: batched ? '' : this.memberId,
        members: batched ? [{ memberId: this.memberId, groupInstanceId: this.o.groupInstanceId, reason }] : [],
      },
      { timeoutMs: 5_000 },
    );
    this.publish('leave', { reason });
  }

  stop(): void {
    this.stopped = true;
    this.stopHeartbeats();
  }

  /**
   * Commits offsets (the next offset to read, as Kafka stores them). A member commits with its
   * generation; a consumer without subscription (manual assignment) commits as generation -1.
   */
  async commit(offsets: readonly CommitOffset[], asGroupMember: boolean): Promise<void> {
    if (offsets.length === 0) return;
    const topics = new Map<string, CommitOffset[]>();
    for (const o of offsets) {
      pushTo(topics, o.topic, o);
    }
    const o = this.cluster.options;
    await withRetries(
      async () => {
        const conn = await this.coordinators.connection(this.o.groupId, 'default'); // not behind a parked JoinGroup
        const res = await conn
          .request<OffsetCommitResponse>(ApiKeys.OffsetCommit, {
            groupId: this.o.groupId,
            generationIdOrMemberEpoch: asGroupMember ? this.generationId : -1,
            memberId: asGroupMember ? this.memberId : '',
            groupInstanceId: asGroupMember ? this.o.groupInstanceId : null,
            retentionTimeMs: -1n,
            topics: [...topics].map(([name, list]) => ({
              name,
              partitions: list.map((x) => ({
                partitionIndex: x.partition,
                committedOffset: BigInt(x.offset),
                committedLeaderEpoch: x.leaderEpoch ?? -1,
                commitTimestamp: -1n,
                committedMetadata: x.metadata ?? null,
              })),
            })),
          })
          .catch((err) => {
            this.coordinators.handleError(this.o.groupId, err);
            throw err;
          });
        for (const t of res.topics) {
          for (const p of t.partitions) {
            if (p.errorCode === 0) continue;
            const err = new KafkaError(p.errorCode, {
              groupId: this.o.groupId,
              topic: t.name,
              partition: p.partitionIndex,
              api: 'OffsetCommit',
            });
            if (COORDINATOR_ERRORS.has(p.errorCode)) this.coordinators.invalidate(this.o.groupId);
            if (
              p.errorCode === E.REBALANCE_IN_PROGRESS ||
              p.errorCode === E.ILLEGAL_GENERATION ||
              p.errorCode === E.UNKNOWN_MEMBER_ID
            ) {
              this.requestRejoin();
              throw new ClientError(
                'ERR_CLIENT_REBALANCE',
                `commit failed: the group rebalanced (${err.name}); the partitions may now belong to another member, which will re-process from the last committed offset`,
                { cause: err, retriable: false },
              );
            }
            throw err;
          }
        }
      },
      { retries: 10, baseMs: o.retryBackoffMs, maxMs: o.retryBackoffMaxMs, deadline: Date.now() + o.requestTimeoutMs },
    );
  }

  /** Committed offsets (-1 when none) for these partitions. */
  async committed(
    partitions: readonly TopicPartition[],
  ): Promise<Map<string, { offset: number; leaderEpoch: number; metadata: string | null }>> {
    const out = new Map<string, { offset: number; leaderEpoch: number; metadata: string | null }>();
    if (partitions.length === 0) return out;
    const topics = new Map<string, number[]>();
    for (const tp of partitions) {
      pushTo(topics, tp.topic, tp.partition);
    }
    const o = this.cluster.options;
    await withRetries(
      async () => {
        const conn = await this.coordinators.connection(this.o.groupId, 'default');
        const res = await conn
          .request<OffsetFetchResponse>(ApiKeys.OffsetFetch, {
            groupId: this.o.groupId,
            topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
            groups: [],
            requireStable: true,
          })
          .catch((err) => {
            this.coordinators.handleError(this.o.groupId, err);
            throw err;
          });
        if (res.errorCode !== 0) {
          if (COORDINATOR_ERRORS.has(res.errorCode)) this.coordinators.invalidate(this.o.groupId);
          throw new KafkaError(res.errorCode, { groupId: this.o.groupId, api: 'OffsetFetch' });
        }
        for (const t of res.topics) {
          for (const p of t.partitions) {
            if (p.errorCode !== 0)
              throw new KafkaError(p.errorCode, {
                groupId: this.o.groupId,
                topic: t.name,
                partition: p.partitionIndex,
                api: 'OffsetFetch',
              });
            out.set(tpKey(t.name, p.partitionIndex), {
              offset: Number(p.committedOffset),
              leaderEpoch: p.committedLeaderEpoch,
              metadata: p.metadata,
            });
          }
        }
      },
      { retries: 20, baseMs: o.retryBackoffMs, maxMs: o.retryBackoffMaxMs, deadline: Date.now() + o.requestTimeoutMs },
    );
    return out;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
