/**
 * Partition assignors for the classic group protocol. The group leader runs one (the protocol
 * all members share, chosen by the coordinator) over every member's subscription.
 *
 *  - range: per topic, members subscribed to it sorted by member id get contiguous ranges; the
 *    first (partitions % members) get one extra. Same as Java's RangeAssignor.
 *  - roundrobin: all subscribed partitions sorted by (topic, partition), dealt one by one to the
 *    members in member-id order, skipping members not subscribed to the topic.
 *  - cooperative-sticky: keeps every valid owned partition where it is, deals unowned partitions
 *    to the least-loaded eligible member, then moves partitions one at a time from the most- to
 *    the least-loaded member until counts differ by at most one — so a rebalance moves only what
 *    balance requires. Cooperative (KIP-429): a partition moving from A to B is left out of B's
 *    assignment this round; A revokes it, rejoins, and the next round gives it to B. At no point
 *    do two members own the same partition.
 *
 * Names are the ones Java, librdkafka and kafkajs put on the wire, so mixed groups agree.
 */
import type { TopicPartition } from './protocol.js';

export interface MemberSubscription {
  memberId: string;
  topics: string[];
  ownedPartitions: TopicPartition[];
  generationId: number;
}

export interface Assignor {
  readonly name: string;
  readonly rebalanceProtocol: 'eager' | 'cooperative';
  /** partitionsPerTopic: partition count of every topic any member subscribes to. */
  assign(
    members: readonly MemberSubscription[],
    partitionsPerTopic: ReadonlyMap<string, number>,
  ): Map<string, TopicPartition[]>;
}

const byId = (a: MemberSubscription, b: MemberSubscription) =>
  a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;

function empty(members: readonly MemberSubscription[]): Map<string, TopicPartition[]> {
  return new Map(members.map((m) => [m.memberId, [] as TopicPartition[]]));
}

export const rangeAssignor: Assignor = {
  name: 'range',
  rebalanceProtocol: 'eager',
  assign(members, partitionsPerTopic) {
    const out = empty(members);
    const sorted = [...members].sort(byId);
    for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const consumers = sorted.filter((m) => m.topics.includes(topic));
      if (consumers.length === 0) continue;
      const per = Math.floor(count / consumers.length);
      const extra = count % consumers.length;
      let next = 0;
      consumers.forEach((m, i) => {
        const n = per + (i < extra ? 1 : 0);
        for (let p = next; p < next + n; p++) out.get(m.memberId)!.push({ topic, partition: p });
        next += n;
      });
    }
    return out;
  },
};

export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  rebalanceProtocol: 'eager',
  assign(members, partitionsPerTopic) {
    const out = empty(members);
    const sorted = [...members].sort(byId);
    if (sorted.length === 0) return out;
    let cursor = 0;
    for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!sorted.some((m) => m.topics.includes(topic))) continue;
      for (let p = 0; p < count; p++) {
        while (!sorted[cursor % sorted.length]!.topics.includes(topic)) cursor++;
        out.get(sorted[cursor % sorted.length]!.memberId)!.push({ topic, partition: p });
        cursor++;
      }
    }
    return out;
  },
};

const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

/** The sticky assignment before the cooperative adjustment (exported for tests). */
export function stickyAssign(
  members: readonly MemberSubscription[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): Map<string, TopicPartition[]> {
  const sorted = [...members].sort(byId);
  const assigned = new Map<string, Map<string, TopicPartition>>(sorted.map((m) => [m.memberId, new Map()]));
  const subscribed = new Map(sorted.map((m) => [m.memberId, new Set(m.topics)]));
  const owner = new Map<string, string>();
  // 1. keep valid owned partitions; a partition claimed twice (a member that missed a
  //    rebalance) stays with the claim from the highest generation
  const claims = sorted
    .flatMap((m) => m.ownedPartitions.map((tp) => ({ m, tp })))
    .sort((a, b) => b.m.generationId - a.m.generationId);
  for (const { m, tp } of claims) {
    const count = partitionsPerTopic.get(tp.topic);
    const k = key(tp);
    if (count === undefined || tp.partition >= count || !subscribed.get(m.memberId)!.has(tp.topic) || owner.has(k))
      continue;
    owner.set(k, m.memberId);
    assigned.get(m.memberId)!.set(k, { topic: tp.topic, partition: tp.partition });
  }
  const load = (id: string) => assigned.get(id)!.size;
  // 2. deal unowned partitions to the least-loaded eligible member
  for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const eligible = sorted.filter((m) => subscribed.get(m.memberId)!.has(topic));
    if (eligible.length === 0) continue;
    for (let p = 0; p < count; p++) {
      const k = key({ topic, partition: p });
      if (owner.has(k)) continue;
      let best = eligible[0]!;
      for (const m of eligible) if (load(m.memberId) < load(best.memberId)) best = m;
      owner.set(k, best.memberId);
      assigned.get(best.memberId)!.set(k, { topic, partition: p });
    }
  }
  // 3. move one partition at a time from the most- to a less-loaded member that can take it
  for (let guard = 0; guard < 100_000; guard++) {
    const order = [...sorted].sort((a, b) => load(b.memberId) - load(a.memberId) || byId(a, b));
    let moved = false;
    for (const from of order) {
      for (const to of [...order].reverse()) {
        if (load(from.memberId) - load(to.memberId) <= 1) break;
        const candidate = [...assigned.get(from.memberId)!.values()].find((tp) =>
          subscribed.get(to.memberId)!.has(tp.topic),
        );
        if (!candidate) continue;
        assigned.get(from.memberId)!.delete(key(candidate));
        assigned.get(to.memberId)!.set(key(candidate), candidate);
        moved = true;
        break;
      }
      if (moved) break;
    }
    if (!moved) break;
  }
  const out = new Map<string, TopicPartition[]>();
  for (const [id, m] of assigned)
    out.set(
      id,
      [...m.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)),
    );
  return out;
}

export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  rebalanceProtocol: 'cooperative',
  assign(members, partitionsPerTopic) {
    const target = stickyAssign(members, partitionsPerTopic);
    const ownedBy = new Map<string, string>();
    for (const m of members) for (const tp of m.ownedPartitions) ownedBy.set(key(tp), m.memberId);
    // a partition still owned by someone else is withheld until its owner has revoked it
    for (const [id, list] of target) {
      target.set(
        id,
        list.filter((tp) => {
          const o = ownedBy.get(key(tp));
          return o === undefined || o === id || !members.some((m) => m.memberId === o);
        }),
      );
    }
    return target;
  },
};

export const ASSIGNORS: Record<string, Assignor> = {
  range: rangeAssignor,
  roundrobin: roundRobinAssignor,
  'cooperative-sticky': cooperativeStickyAssignor,
};
