/**
 * Committed offsets: OffsetCommit, OffsetFetch and OffsetDelete on top of the coordinator's
 * groups (Kafka's GroupCoordinator.handleCommitOffsets / handleFetchOffsets / handleDeleteOffsets).
 *
 * Rules kept from Kafka:
 *  - a commit with generation -1, no member id and no instance id is a "simple" consumer's
 *    (manual assignment): accepted only while the group has no members, and it creates the group
 *    (Empty, no protocol type) if needed; any other commit must come from a current member of the
 *    current generation (UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID / ILLEGAL_GENERATION);
 *  - commits during CompletingRebalance get REBALANCE_IN_PROGRESS (the assignment is not known
 *    yet); during PreparingRebalance members of the current generation may still commit, which is
 *    how a consumer saves its position while giving partitions up;
 *  - metadata longer than offset.metadata.max.bytes: OFFSET_METADATA_TOO_LARGE for that
 *    partition, the rest are written; all partitions of a commit share one append and its error.
 * Concurrency: event-loop; the in-memory offsets change only after the append (group-store.ts).
 */
import { ClassicGroup, CONSUMER_PROTOCOL_TYPE } from './classic-group.js';
import { G } from './codes.js';
import type { GroupCoordinator } from './coordinator.js';
import type { CommittedOffset } from './offsets-records.js';

const MAX_STORABLE_METADATA_BYTES = 0x7fff;

export interface OffsetCommitParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; value: CommittedOffset }> }>;
}

export type PartitionErrors = Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;

export interface FetchedOffsets {
  errorCode: number;
  topics: Array<{
    name: string;
    partitions: Array<{
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number;
      metadata: string;
      errorCode: number;
    }>;
  }>;
}

/** `partitionExists(topic, partition)`: whether the cluster has it (unknown ones are refused). */
export async function commitOffsets(
  c: GroupCoordinator,
  p: OffsetCommitParams,
  partitionExists: (topic: string, partition: number) => boolean,
): Promise<PartitionErrors> {
  const errors = new Map<string, number>();
  const key = (t: string, part: number) => `${t}\0${part}`;
  const valid: Array<{ topic: string; partition: number; value: CommittedOffset }> = [];
  const maxMetadata = c.opts.config.int('offset.metadata.max.bytes');
  for (const t of p.topics) {
    for (const part of t.partitions) {
      if (!partitionExists(t.name, part.partitionIndex))
        errors.set(key(t.name, part.partitionIndex), G.UNKNOWN_TOPIC_OR_PARTITION);
      else valid.push({ topic: t.name, partition: part.partitionIndex, value: part.value });
    }
  }
  const answer = (): PartitionErrors =>
    p.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((x) => ({
        partitionIndex: x.partitionIndex,
        errorCode: errors.get(key(t.name, x.partitionIndex)) ?? G.NONE,
      })),
    }));
  const failAll = (code: number) => {
    for (const v of valid) errors.set(key(v.topic, v.partition), code);
    return answer();
  };
  if (valid.length === 0) return answer();

  const status = c.groupStatus(p.groupId, true);
  if (status !== G.NONE) return failAll(status);
  let group = c.store.groups.get(p.groupId);
  if (group === undefined) {
    // Not relying on Kafka for group management: the group exists to hold offsets.
    if (p.generationId >= 0) return failAll(G.ILLEGAL_GENERATION);
    group = new ClassicGroup(p.groupId, 'Empty', c.opts.clock.now());
    c.store.groups.set(p.groupId, group);
  }
  const err = validateOffsetCommit(c, group, p);
  if (err !== G.NONE) return failAll(err);
  if (group.is('CompletingRebalance')) return failAll(G.REBALANCE_IN_PROGRESS);
  const member = group.get(p.memberId);
  if (member !== undefined) c.scheduleHeartbeatExpiry(group, member);

  const toStore = valid.filter((v) => {
    // The record's metadata is an int16-length string: nothing longer can be stored at all.
    if (v.value.metadata.length > maxMetadata || Buffer.byteLength(v.value.metadata) > MAX_STORABLE_METADATA_BYTES) {
      errors.set(key(v.topic, v.partition), G.OFFSET_METADATA_TOO_LARGE);
      return false;
    }
    return true;
  });
  const code = await c.store.storeOffsets(group, toStore);
  for (const v of toStore) errors.set(key(v.topic, v.partition), code);
  return answer();
}

function validateOffsetCommit(c: GroupCoordinator, group: ClassicGroup, p: OffsetCommitParams): number {
  if (group.is('Dead')) return G.COORDINATOR_NOT_AVAILABLE;
  if (p.generationId >= 0 || p.memberId !== '' || p.groupInstanceId !== null) {
    const err = c.validateCurrentMember(group, p.memberId, p.groupInstanceId);
    if (err !== G.NONE) return err;
    if (p.generationId !== group.generationId) return G.ILLEGAL_GENERATION;
    return G.NONE;
  }
  // Only members may commit to a group that has them.
  return group.is('Empty') ? G.NONE : G.UNKNOWN_MEMBER_ID;
}

/** `topics` null = every committed offset of the group (OffsetFetch v2+). */
export function fetchOffsets(
  c: GroupCoordinator,
  groupId: string,
  topics: Array<{ name: string; partitionIndexes: number[] }> | null,
): FetchedOffsets {
  const status = c.groupStatus(groupId, true);
  if (status !== G.NONE) return { errorCode: status, topics: [] };
  const group = c.store.groups.get(groupId);
  const none = (partitionIndex: number) => ({
    partitionIndex,
    committedOffset: -1,
    committedLeaderEpoch: -1,
    metadata: '',
    errorCode: G.NONE,
  });
  const one = (g: ClassicGroup | undefined, topic: string, partitionIndex: number) => {
    const o = g?.offset(topic, partitionIndex);
    return o === undefined
      ? none(partitionIndex)
      : {
          partitionIndex,
          committedOffset: o.offset,
          committedLeaderEpoch: o.leaderEpoch,
          metadata: o.metadata,
          errorCode: G.NONE,
        };
  };
  const live = group !== undefined && !group.is('Dead') ? group : undefined;
  if (topics === null) {
    if (live === undefined) return { errorCode: G.NONE, topics: [] };
    return {
      errorCode: G.NONE,
      topics: [...live.offsets].map(([name, parts]) => ({
        name,
        partitions: [...parts.keys()].sort((a, b) => a - b).map((i) => one(live, name, i)),
      })),
    };
  }
  return {
    errorCode: G.NONE,
    topics: topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((i) => one(live, t.name, i)) })),
  };
}

/** OffsetDelete: top-level error, and per partition NONE / GROUP_SUBSCRIBED_TO_TOPIC / UNKNOWN_TOPIC_OR_PARTITION. */
export async function deleteOffsets(
  c: GroupCoordinator,
  groupId: string,
  topics: Array<{ name: string; partitions: number[] }>,
  topicExists: (topic: string) => boolean,
): Promise<{ errorCode: number; topics: PartitionErrors }> {
  const answer = (errorCode: number, perPartition: (topic: string, partition: number) => number) => ({
    errorCode,
    topics:
      errorCode !== G.NONE
        ? []
        : topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((i) => ({ partitionIndex: i, errorCode: perPartition(t.name, i) })),
          })),
  });
  const status = c.groupStatus(groupId, false);
  if (status !== G.NONE) return answer(status, () => status);
  const group = c.store.groups.get(groupId);
  if (group === undefined || group.is('Dead')) return answer(G.GROUP_ID_NOT_FOUND, () => G.GROUP_ID_NOT_FOUND);
  const isConsumerGroup = group.protocolType === CONSUMER_PROTOCOL_TYPE;
  if (!group.is('Empty') && !isConsumerGroup) return answer(G.NON_EMPTY_GROUP, () => G.NON_EMPTY_GROUP);
  const deleted: Array<{ topic: string; partition: number }> = [];
  const perPartition = new Map<string, number>();
  for (const t of topics) {
    for (const i of t.partitions) {
      let code: number = G.NONE;
      if (!topicExists(t.name)) code = G.UNKNOWN_TOPIC_OR_PARTITION;
      else if (!group.is('Empty') && group.isSubscribedToTopic(t.name)) code = G.GROUP_SUBSCRIBED_TO_TOPIC;
      else if (group.removeOffset(t.name, i)) deleted.push({ topic: t.name, partition: i });
      perPartition.set(`${t.name}\0${i}`, code);
    }
  }
  if (deleted.length > 0) {
    const err = await c.store.storeTombstones(groupId, deleted, false);
    if (err !== G.NONE) return answer(err, () => err);
  }
  return answer(G.NONE, (t, i) => perPartition.get(`${t}\0${i}`) ?? G.NONE);
}
