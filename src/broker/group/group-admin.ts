/**
 * Admin views and housekeeping of groups: ListGroups, DescribeGroups, DeleteGroups, offset
 * expiry (offsets.retention.minutes), and the lag data the CLI and console show.
 *
 * Expiry (Kafka's cleanupGroupMetadata): every offsets.retention.check.interval.ms, each loaded
 * group drops offsets past retention (rules in ClassicGroup.removeExpiredOffsets); an Empty group
 * left with no offsets dies, and tombstones are written for what was removed (and for the group
 * record if one was ever written, i.e. generation > 0).
 */
import { decodeConsumerProtocolAssignment } from '../../protocol/messages/consumer-protocol-assignment.js';
import { Reader } from '../../protocol/primitives/index.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import { CONSUMER_PROTOCOL_TYPE, type ClassicGroup } from './classic-group.js';
import { G } from './codes.js';
import type { GroupCoordinator } from './coordinator.js';

/** Kafka's AclOperation bits a group supports (READ, DELETE, DESCRIBE) with no authorizer. */
export const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string;
  groupType: string;
}

export function listGroups(c: GroupCoordinator, statesFilter: string[], typesFilter: string[]): ListedGroup[] {
  const states = new Set(statesFilter.map((s) => s.toLowerCase()));
  const types = new Set(typesFilter.map((s) => s.toLowerCase()));
  if (types.size > 0 && !types.has('classic')) return [];
  const out: ListedGroup[] = [];
  for (const g of c.store.groups.values()) {
    if (g.is('Dead')) continue;
    if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
    out.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: 'classic' });
  }
  return out;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: Array<{
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    memberMetadata: Buffer;
    memberAssignment: Buffer;
  }>;
}

/** Kafka's GroupMetadata.summary: metadata and assignments only while Stable. Unknown groups are Dead. */
export function describeGroup(c: GroupCoordinator, groupId: string): DescribedGroup {
  const base = { groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
  const status = c.groupStatus(groupId, true);
  if (status !== G.NONE) return { ...base, errorCode: status };
  const g = c.store.groups.get(groupId);
  if (g === undefined) return { ...base, errorCode: G.NONE };
  const stable = g.is('Stable') && g.protocolName !== null;
  return {
    errorCode: G.NONE,
    groupId,
    groupState: g.state,
    protocolType: g.protocolType ?? '',
    protocolData: stable ? g.protocolName! : '',
    members: [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: stable ? (m.metadata(g.protocolName!) ?? Buffer.alloc(0)) : Buffer.alloc(0),
      memberAssignment: stable ? m.assignment : Buffer.alloc(0),
    })),
  };
}

/** DeleteGroups: only Empty groups; their offsets and record get tombstones. */
export async function deleteGroup(c: GroupCoordinator, groupId: string): Promise<number> {
  const status = c.groupStatus(groupId, true);
  if (status !== G.NONE) return status;
  const g = c.store.groups.get(groupId);
  if (g === undefined || g.is('Dead')) return G.GROUP_ID_NOT_FOUND;
  if (!g.is('Empty')) return G.NON_EMPTY_GROUP;
  const offsets = allOffsets(g);
  c.killGroup(g);
  return c.store.storeTombstones(groupId, offsets, true);
}

function allOffsets(g: ClassicGroup): Array<{ topic: string; partition: number }> {
  const out: Array<{ topic: string; partition: number }> = [];
  for (const [topic, parts] of g.offsets) for (const partition of parts.keys()) out.push({ topic, partition });
  return out;
}

/** One expiry pass over every loaded group; returns how many offsets were removed. */
export async function expireOffsets(c: GroupCoordinator): Promise<number> {
  const now = c.opts.clock.now();
  const retentionMs = c.opts.config.int('offsets.retention.minutes') * 60_000;
  let removed = 0;
  const writes: Promise<number>[] = [];
  for (const g of [...c.store.groups.values()]) {
    const expired = g.removeExpiredOffsets(now, retentionMs);
    removed += expired.length;
    let groupDied = false;
    if (g.is('Empty') && !g.hasOffsets) {
      groupDied = g.generationId > 0;
      c.killGroup(g);
    }
    if (expired.length > 0 || groupDied) writes.push(c.store.storeTombstones(g.groupId, expired, groupDied));
  }
  await Promise.all(writes);
  return removed;
}

// ---- lag ----

export interface PartitionLag {
  topic: string;
  partition: number;
  /** -1 when nothing was committed. */
  committedOffset: number;
  /** High watermark (what a consumer can read up to); -1 when the partition is not on this broker. */
  logEndOffset: number;
  /** logEndOffset - committedOffset, or null when either is unknown. */
  lag: number | null;
  metadata: string;
}

export interface GroupLag {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  generationId: number;
  members: Array<{
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    partitions: PartitionLag[];
  }>;
  /** Partitions with committed offsets that no member is assigned. */
  unassigned: PartitionLag[];
}

/** The data to show per member: its partitions, committed offset, log end offset and lag. */
export function describeLag(c: GroupCoordinator, replicas: ReplicaManager, groupId: string): GroupLag | null {
  const g = c.store.groups.get(groupId);
  if (g === undefined || g.is('Dead')) return null;
  const lagOf = (topic: string, partition: number): PartitionLag => {
    const committed = g.offset(topic, partition);
    const p = replicas.getPartition(topic, partition);
    const logEndOffset = p?.isLeader ? p.highWatermark : -1;
    const committedOffset = committed?.offset ?? -1;
    return {
      topic,
      partition,
      committedOffset,
      logEndOffset,
      lag: committedOffset >= 0 && logEndOffset >= 0 ? Math.max(0, logEndOffset - committedOffset) : null,
      metadata: committed?.metadata ?? '',
    };
  };
  const assigned = new Set<string>();
  const members = [...g.members.values()].map((m) => {
    const partitions = g.protocolType === CONSUMER_PROTOCOL_TYPE ? decodeAssignment(m.assignment) : [];
    for (const tp of partitions) assigned.add(`${tp.topic}\0${tp.partition}`);
    return {
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      partitions: partitions.map((tp) => lagOf(tp.topic, tp.partition)),
    };
  });
  const unassigned: PartitionLag[] = [];
  for (const [topic, parts] of g.offsets) {
    for (const partition of [...parts.keys()].sort((a, b) => a - b)) {
      if (!assigned.has(`${topic}\0${partition}`)) unassigned.push(lagOf(topic, partition));
    }
  }
  return {
    groupId,
    state: g.state,
    protocolType: g.protocolType ?? '',
    protocol: g.protocolName ?? '',
    generationId: g.generationId,
    members,
    unassigned,
  };
}

/** A consumer-protocol assignment's partitions; none when it is empty or not one. */
export function decodeAssignment(assignment: Buffer): Array<{ topic: string; partition: number }> {
  if (assignment.length < 2) return [];
  try {
    const r = new Reader(assignment);
    const version = r.int16();
    if (version < 0) return [];
    const a = decodeConsumerProtocolAssignment(r, Math.min(version, 3));
    return a.assignedPartitions.flatMap((t) =>
      [...t.partitions].sort((x, y) => x - y).map((partition) => ({ topic: t.topic, partition })),
    );
  } catch {
    return [];
  }
}
