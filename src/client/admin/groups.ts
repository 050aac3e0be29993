/**
 * Consumer group administration: list, describe (members, assignments, lag), delete, read and
 * reset committed offsets, delete offsets. Group requests go to the group's coordinator
 * (FindCoordinator, cached); ListGroups goes to every broker, since each lists only the groups
 * it coordinates.
 *
 * Resetting offsets commits with generation -1 and an empty member id, which Kafka accepts only
 * for a group with no active members (as kafka-consumer-groups --reset-offsets requires): an
 * active group answers UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION and the reset fails with that.
 */
import {
  ApiKeys,
  type DeleteGroupsResponse,
  type DescribeGroupsResponse,
  type ListGroupsResponse,
  type OffsetCommitResponse,
  type OffsetDeleteResponse,
  type OffsetFetchResponse,
} from '../../protocol/messages/index.js';
import { decodeAssignment, decodeSubscription, type TopicPartition } from '../consumer/protocol.js';
import { KafkaError } from '../errors.js';
import type { Cluster } from '../net/cluster.js';
import { CoordinatorCache, withCoordinator } from '../net/coordinator.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from '../offsets.js';

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: string;
}

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Decoded for protocolType 'consumer'; empty otherwise. */
  subscribedTopics: string[];
  assignment: TopicPartition[];
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMemberDescription[];
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** -1 when the group has no committed offset for the partition. */
  committedOffset: number;
  logEndOffset: number;
  /** logEndOffset - committedOffset; the whole log (end - earliest) when nothing is committed. */
  lag: number;
  memberId: string | null;
}

export type ResetTo =
  | { to: 'earliest' }
  | { to: 'latest' }
  | { to: 'timestamp'; timestamp: number }
  | { to: 'offset'; offset: number }
  | { to: 'shift'; by: number };

export class GroupAdmin {
  protected readonly coordinators: CoordinatorCache;

  constructor(readonly cluster: Cluster) {
    this.coordinators = new CoordinatorCache(cluster);
  }

  private coordinator<T>(
    groupId: string,
    fn: (conn: import('../net/connection.js').Connection) => Promise<T>,
  ): Promise<T> {
    return withCoordinator(this.coordinators, this.cluster, groupId, fn);
  }

  async listGroups(): Promise<GroupListing[]> {
    await this.cluster.refreshMetadata();
    const out = new Map<string, GroupListing>();
    await Promise.all(
      [...this.cluster.metadata.brokers.keys()].map(async (id) => {
        const conn = await this.cluster.broker(id);
        const res = await conn.request<ListGroupsResponse>(ApiKeys.ListGroups, { statesFilter: [], typesFilter: [] });
        if (res.errorCode !== 0) throw new KafkaError(res.errorCode, { api: 'ListGroups' });
        for (const g of res.groups)
          out.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: g.groupState });
      }),
    );
    return [...out.values()].sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    return Promise.all(
      groupIds.map((groupId) =>
        this.coordinator(groupId, async (conn) => {
          const res = await conn.request<DescribeGroupsResponse>(ApiKeys.DescribeGroups, {
            groups: [groupId],
            includeAuthorizedOperations: false,
          });
          const g = res.groups[0]!;
          if (g.errorCode !== 0) throw new KafkaError(g.errorCode, { groupId, api: 'DescribeGroups' });
          const consumer = g.protocolType === 'consumer';
          return {
            groupId,
            state: g.groupState,
            protocolType: g.protocolType,
            protocol: g.protocolData,
            members: g.members.map((m) => ({
              memberId: m.memberId,
              groupInstanceId: m.groupInstanceId,
              clientId: m.clientId,
              clientHost: m.clientHost,
              subscribedTopics: consumer ? safe(() => decodeSubscription(m.memberMetadata).topics, []) : [],
              assignment: consumer ? safe(() => decodeAssignment(m.memberAssignment), []) : [],
            })),
          };
        }),
      ),
    );
  }

  /** Committed offsets of a group (all topics when `topics` is omitted). */
  async fetchOffsets(
    groupId: string,
    topics?: Array<{ topic: string; partitions: number[] }>,
  ): Promise<Array<{ topic: string; partition: number; offset: number; metadata: string | null }>> {
    return this.coordinator(groupId, async (conn) => {
      const res = await conn.request<OffsetFetchResponse>(ApiKeys.OffsetFetch, {
        groupId,
        topics: topics ? topics.map((t) => ({ name: t.topic, partitionIndexes: t.partitions })) : null,
        groups: [],
        requireStable: false,
      });
      if (res.errorCode !== 0) throw new KafkaError(res.errorCode, { groupId, api: 'OffsetFetch' });
      const out: Array<{ topic: string; partition: number; offset: number; metadata: string | null }> = [];
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== 0)
            throw new KafkaError(p.errorCode, {
              groupId,
              topic: t.name,
              partition: p.partitionIndex,
              api: 'OffsetFetch',
            });
          out.push({
            topic: t.name,
            partition: p.partitionIndex,
            offset: Number(p.committedOffset),
            metadata: p.metadata,
          });
        }
      }
      return out;
    });
  }

  /** Per-partition lag of a group: committed offsets against high watermarks. */
  async describeGroupLag(groupId: string): Promise<PartitionLag[]> {
    const [desc] = await this.describeGroups([groupId]);
    const committed = await this.fetchOffsets(groupId);
    const owner = new Map<string, string>();
    const parts = new Map<string, TopicPartition>();
    for (const m of desc!.members) {
      for (const tp of m.assignment) {
        owner.set(`${tp.topic}:${tp.partition}`, m.memberId);
        parts.set(`${tp.topic}:${tp.partition}`, tp);
      }
    }
    for (const c of committed) parts.set(`${c.topic}:${c.partition}`, { topic: c.topic, partition: c.partition });
    const list = [...parts.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    if (list.length === 0) return [];
    const [ends, starts] = await Promise.all([
      listOffsets(
        this.cluster,
        list.map((tp) => ({ ...tp, timestamp: LATEST_TIMESTAMP })),
      ),
      listOffsets(
        this.cluster,
        list.map((tp) => ({ ...tp, timestamp: EARLIEST_TIMESTAMP })),
      ),
    ]);
    return list.map((tp, i) => {
      const c = committed.find((x) => x.topic === tp.topic && x.partition === tp.partition)?.offset ?? -1;
      const end = ends[i]!.offset;
      return {
        ...tp,
        committedOffset: c,
        logEndOffset: end,
        lag: c >= 0 ? Math.max(0, end - c) : end - starts[i]!.offset,
        memberId: owner.get(`${tp.topic}:${tp.partition}`) ?? null,
      };
    });
  }

  async deleteGroups(groupIds: string[]): Promise<void> {
    for (const groupId of groupIds) {
      await this.coordinator(groupId, async (conn) => {
        const res = await conn.request<DeleteGroupsResponse>(ApiKeys.DeleteGroups, { groupsNames: [groupId] });
        const r = res.results[0];
        if (r && r.errorCode !== 0) throw new KafkaError(r.errorCode, { groupId, api: 'DeleteGroups' });
      });
    }
  }

  /**
   * Sets a (non-active) group's committed offsets on a topic's partitions (all when omitted) to
   * earliest, latest, a timestamp, an explicit offset, or the current committed offset shifted;
   * targets are clamped to [earliest, latest]. Returns the offsets committed.
   */
  async resetOffsets(
    groupId: string,
    topic: string,
    spec: ResetTo,
    partitions?: number[],
  ): Promise<Array<{ topic: string; partition: number; offset: number }>> {
    const info = (await this.cluster.ensureTopics([topic])).get(topic)!;
    const parts = partitions ?? info.partitions.map((p) => p.partition);
    const tps = parts.map((partition) => ({ topic, partition }));
    const [earliest, latest] = await Promise.all([
      listOffsets(
        this.cluster,
        tps.map((tp) => ({ ...tp, timestamp: EARLIEST_TIMESTAMP })),
      ),
      listOffsets(
        this.cluster,
        tps.map((tp) => ({ ...tp, timestamp: LATEST_TIMESTAMP })),
      ),
    ]);
    let targets: number[];
    switch (spec.to) {
      case 'earliest':
        targets = earliest.map((e) => e.offset);
        break;
      case 'latest':
        targets = latest.map((e) => e.offset);
        break;
      case 'timestamp': {
        const found = await listOffsets(
          this.cluster,
          tps.map((tp) => ({ ...tp, timestamp: spec.timestamp })),
        );
        targets = found.map((f, i) => (f.offset < 0 ? latest[i]!.offset : f.offset));
        break;
      }
      case 'offset':
        targets = tps.map(() => spec.offset);
        break;
      case 'shift': {
        const committed = await this.fetchOffsets(groupId, [{ topic, partitions: parts }]);
        targets = tps.map((tp, i) => {
          const c = committed.find((x) => x.partition === tp.partition)?.offset ?? -1;
          return (c >= 0 ? c : latest[i]!.offset) + spec.by;
        });
        break;
      }
    }
    const offsets = tps.map((tp, i) => ({
      ...tp,
      offset: Math.min(latest[i]!.offset, Math.max(earliest[i]!.offset, targets[i]!)),
    }));
    await this.coordinator(groupId, async (conn) => {
      const res = await conn.request<OffsetCommitResponse>(ApiKeys.OffsetCommit, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [
          {
            name: topic,
            partitions: offsets.map((o) => ({
              partitionIndex: o.partition,
              committedOffset: BigInt(o.offset),
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: null,
            })),
          },
        ],
      });
      for (const t of res.topics)
        for (const p of t.partitions)
          if (p.errorCode !== 0)
            throw new KafkaError(p.errorCode, {
              groupId,
              topic: t.name,
              partition: p.partitionIndex,
              api: 'OffsetCommit',
            });
    });
    return offsets;
  }

  /** Deletes a group's committed offsets for a topic's partitions (all when omitted). */
  async deleteOffsets(groupId: string, topic: string, partitions?: number[]): Promise<void> {
    const parts =
      partitions ?? (await this.cluster.ensureTopics([topic])).get(topic)!.partitions.map((p) => p.partition);
    await this.coordinator(groupId, async (conn) => {
      const res = await conn.request<OffsetDeleteResponse>(ApiKeys.OffsetDelete, {
        groupId,
        topics: [{ name: topic, partitions: parts.map((partitionIndex) => ({ partitionIndex })) }],
      });
      if (res.errorCode !== 0) throw new KafkaError(res.errorCode, { groupId, api: 'OffsetDelete' });
      for (const t of res.topics)
        for (const p of t.partitions)
          if (p.errorCode !== 0)
            throw new KafkaError(p.errorCode, {
              groupId,
              topic: t.name,
              partition: p.partitionIndex,
              api: 'OffsetDelete',
            });
    });
  }
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}
