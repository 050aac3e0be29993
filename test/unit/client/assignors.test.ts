import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type Assignor,
  cooperativeStickyAssignor,
  type MemberSubscription,
  rangeAssignor,
  roundRobinAssignor,
  stickyAssign,
} from '../../../src/client/consumer/assignors.js';
import type { TopicPartition } from '../../../src/client/consumer/protocol.js';

const key = (tp: TopicPartition) => `${tp.topic}:${tp.partition}`;

const groupArb = fc
  .record({
    topics: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 4 }),
    counts: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 4, maxLength: 4 }),
    members: fc.integer({ min: 1, max: 7 }),
    homogeneous: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ topics, counts, members, homogeneous, seed }) => {
    const subs: MemberSubscription[] = Array.from({ length: members }, (_, i) => ({
      memberId: `m-${(i * 7919 + seed) % 1000}-${i}`,
      topics: homogeneous ? topics : [...new Set(topics.filter((_, j) => (i + j + seed) % 3 !== 0).concat(topics[0]!))],
      ownedPartitions: [],
      generationId: 1,
    }));
    // the leader only looks up topics somebody subscribes to
    const subscribed = new Set(subs.flatMap((s) => s.topics));
    const partitionsPerTopic = new Map(topics.filter((t) => subscribed.has(t)).map((t, i) => [t, counts[i]!]));
    return { partitionsPerTopic, subs, homogeneous };
  });

function checkExactlyOnce(
  assignor: Assignor | { assign: typeof stickyAssign },
  subs: MemberSubscription[],
  ppt: Map<string, number>,
) {
  const result = assignor.assign(subs, ppt);
  const seen = new Map<string, string>();
  for (const [member, list] of result) {
    const sub = subs.find((s) => s.memberId === member)!;
    for (const tp of list) {
      assert.ok(sub.topics.includes(tp.topic), `${member} got ${key(tp)} without subscribing`);
      assert.ok(!seen.has(key(tp)), `${key(tp)} assigned twice`);
      seen.set(key(tp), member);
    }
  }
  for (const [topic, count] of ppt)
    for (let p = 0; p < count; p++) assert.ok(seen.has(`${topic}:${p}`), `${topic}:${p} unassigned`);
  return result;
}

describe('assignors', () => {
  for (const a of [rangeAssignor, roundRobinAssignor, { name: 'sticky', assign: stickyAssign }]) {
    it(`${a.name}: every subscribed partition is assigned exactly once`, () => {
      fc.assert(
        fc.property(groupArb, ({ subs, partitionsPerTopic }) => void checkExactlyOnce(a, subs, partitionsPerTopic)),
        { numRuns: 300 },
      );
    });
  }

  it('range gives contiguous ranges, extras to the first members', () => {
    const subs = ['c1', 'c2'].map((memberId) => ({ memberId, topics: ['t'], ownedPartitions: [], generationId: 1 }));
    const r = rangeAssignor.assign(subs, new Map([['t', 5]]));
    assert.deepEqual(
      r.get('c1')!.map((x) => x.partition),
      [0, 1, 2],
    );
    assert.deepEqual(
      r.get('c2')!.map((x) => x.partition),
      [3, 4],
    );
  });

  it('round-robin deals partitions in turn', () => {
    const subs = ['c1', 'c2'].map((memberId) => ({
      memberId,
      topics: ['t', 'u'],
      ownedPartitions: [],
      generationId: 1,
    }));
    const r = roundRobinAssignor.assign(
      subs,
      new Map([
        ['t', 2],
        ['u', 1],
      ]),
    );
    assert.deepEqual(r.get('c1')!.map(key), ['t:0', 'u:0']);
    assert.deepEqual(r.get('c2')!.map(key), ['t:1']);
  });

  it('sticky balances homogeneous groups to within one partition', () => {
    fc.assert(
      fc.property(
        groupArb.filter((g) => g.homogeneous),
        ({ subs, partitionsPerTopic }) => {
          const counts = [...stickyAssign(subs, partitionsPerTopic).values()].map((l) => l.length);
          assert.ok(Math.max(...counts) - Math.min(...counts) <= 1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('cooperative-sticky moves the minimum when members join or leave, and never double-assigns', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: -3, max: 3 }),
        (partitions, before, delta) => {
          const after = Math.max(1, before + delta);
          const ppt = new Map([['t', partitions]]);
          const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${String(i).padStart(2, '0')}`);
          // a balanced generation with `before` members
          const first = stickyAssign(
            ids(before).map((memberId) => ({ memberId, topics: ['t'], ownedPartitions: [], generationId: 1 })),
            ppt,
          );
          const subs = ids(after).map((memberId) => ({
            memberId,
            topics: ['t'],
            ownedPartitions: first.get(memberId) ?? [],
            generationId: 1,
          }));
          const round1 = cooperativeStickyAssignor.assign(subs, ppt);
          // round 1 never gives a partition to a member while another member still owns it
          const owners = new Map(subs.flatMap((s) => s.ownedPartitions.map((tp) => [key(tp), s.memberId] as const)));
          for (const [m, list] of round1)
            for (const tp of list) assert.ok(!owners.has(key(tp)) || owners.get(key(tp)) === m);
          // members revoke what they lost and rejoin; round 2 is complete
          const subs2 = subs.map((s) => ({ ...s, ownedPartitions: round1.get(s.memberId)!, generationId: 2 }));
          const round2 = checkExactlyOnce(cooperativeStickyAssignor, subs2, ppt);
          // moves: partitions that changed from one (still present) member to another
          let moves = 0;
          for (const [m, list] of round2)
            for (const tp of list) if (owners.has(key(tp)) && owners.get(key(tp)) !== m) moves++;
          // the minimum: members above their balanced share must give away the excess
          const owned = subs.map((s) => s.ownedPartitions.length).sort((a, b) => b - a);
          const floor = Math.floor(partitions / after);
          const extra = partitions % after;
          const minimum = owned.reduce((sum, n, i) => sum + Math.max(0, n - (floor + (i < extra ? 1 : 0))), 0);
          assert.equal(moves, minimum, `moved ${moves}, minimum ${minimum}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});
