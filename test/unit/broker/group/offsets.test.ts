import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { G } from '../../../../src/broker/group/codes.js';
import type { GroupCoordinator } from '../../../../src/broker/group/coordinator.js';
import {
  deleteGroup,
  describeGroup,
  describeLag,
  expireOffsets,
  listGroups,
} from '../../../../src/broker/group/group-admin.js';
import {
  commitOffsets,
  deleteOffsets,
  fetchOffsets,
  type OffsetCommitParams,
} from '../../../../src/broker/group/group-offsets.js';
import type { ReplicaManager } from '../../../../src/broker/replica/replica-manager.js';
import { encodeConsumerProtocolAssignment } from '../../../../src/protocol/messages/consumer-protocol-assignment.js';
import { Writer } from '../../../../src/protocol/primitives/index.js';
import { joinParams, setup } from './fake-store.js';

const exists = (topic: string, partition: number) => topic === 't' && partition >= 0 && partition < 4;

function commit(
  c: GroupCoordinator,
  o: Partial<OffsetCommitParams> & {
    offset?: number;
    metadata?: string;
    partition?: number;
    topic?: string;
    at?: number;
  } = {},
) {
  return commitOffsets(
    c,
    {
      groupId: 'g',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: o.topic ?? 't',
          partitions: [
            {
              partitionIndex: o.partition ?? 0,
              value: {
                offset: o.offset ?? 5,
                leaderEpoch: -1,
                metadata: o.metadata ?? '',
                commitTimestamp: o.at ?? c.opts.clock.now(),
                expireTimestamp: null,
              },
            },
          ],
        },
      ],
      ...o,
    },
    exists,
  );
}

const code = (r: Awaited<ReturnType<typeof commit>>) => r[0]!.partitions[0]!.errorCode;

async function stableMember(c: GroupCoordinator, clock: { advance(ms: number): void }, sessionTimeoutMs = 500) {
  const j = c.joinGroup(joinParams({ sessionTimeoutMs }));
  clock.advance(0);
  const r = await j;
  const w = new Writer(64);
  w.int16(0);
  encodeConsumerProtocolAssignment({ assignedPartitions: [{ topic: 't', partitions: [0, 1] }], userData: null }, 0, w);
  await c.syncGroup({
    groupId: 'g',
    generationId: r.generationId,
    memberId: r.memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [{ memberId: r.memberId, assignment: w.finish() }],
  });
  return r;
}

describe('group offsets', () => {
  it('a simple consumer (generation -1, no member) commits to a group with no members; fetch returns it', async () => {
    const { c } = setup();
    assert.equal(code(await commit(c, { offset: 42, metadata: 'm' })), G.NONE);
    const f = fetchOffsets(c, 'g', [{ name: 't', partitionIndexes: [0, 1] }]);
    assert.deepEqual(
      f.topics[0]!.partitions.map((p) => [p.committedOffset, p.metadata]),
      [
        [42, 'm'],
        [-1, ''],
      ],
    );
    assert.deepEqual(
      fetchOffsets(c, 'g', null).topics.map((t) => t.name),
      ['t'],
    );
    assert.deepEqual(fetchOffsets(c, 'unknown', null).topics, []);
  });

  it('commit errors: unknown topic/partition, stale generation, non-member, metadata too large', async () => {
    const { c, clock } = setup({ 'offset.metadata.max.bytes': 8 });
    assert.equal(code(await commit(c, { topic: 'nope' })), G.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(code(await commit(c, { partition: 9 })), G.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(code(await commit(c, { groupId: 'fresh', generationId: 3, memberId: 'm' })), G.ILLEGAL_GENERATION);
    const m = await stableMember(c, clock);
    assert.equal(code(await commit(c)), G.UNKNOWN_MEMBER_ID, 'a group with members only takes commits from them');
    assert.equal(
      code(await commit(c, { generationId: m.generationId - 1, memberId: m.memberId })),
      G.ILLEGAL_GENERATION,
    );
    assert.equal(code(await commit(c, { generationId: m.generationId, memberId: 'ghost' })), G.UNKNOWN_MEMBER_ID);
    assert.equal(
      code(await commit(c, { generationId: m.generationId, memberId: m.memberId, metadata: 'x'.repeat(9) })),
      G.OFFSET_METADATA_TOO_LARGE,
    );
    assert.equal(code(await commit(c, { generationId: m.generationId, memberId: m.memberId, offset: 7 })), G.NONE);
    assert.equal(
      fetchOffsets(c, 'g', [{ name: 't', partitionIndexes: [0] }]).topics[0]!.partitions[0]!.committedOffset,
      7,
    );
  });

  it('commits during CompletingRebalance get REBALANCE_IN_PROGRESS; during PreparingRebalance current members may commit', async () => {
    const { c, clock } = setup();
    const m = await stableMember(c, clock);
    const rejoin = c.joinGroup(joinParams({ clientId: 'other' })); // PreparingRebalance
    assert.equal(code(await commit(c, { generationId: m.generationId, memberId: m.memberId })), G.NONE);
    const again = c.joinGroup(joinParams({ memberId: m.memberId }));
    const [r] = await Promise.all([again, rejoin]);
    assert.equal(c.store.groups.get('g')!.state, 'CompletingRebalance');
    assert.equal(
      code(await commit(c, { generationId: r.generationId, memberId: m.memberId })),
      G.REBALANCE_IN_PROGRESS,
    );
  });

  it('a store failure is reported for every partition of the commit and nothing becomes visible', async () => {
    const { c, store } = setup();
    store.writeError = G.NOT_COORDINATOR;
    assert.equal(code(await commit(c, { offset: 9 })), G.NOT_COORDINATOR);
    assert.equal(
      fetchOffsets(c, 'g', [{ name: 't', partitionIndexes: [0] }]).topics[0]!.partitions[0]!.committedOffset,
      -1,
    );
  });

  it('offsets of an empty group expire after offsets.retention.minutes; the group dies with its last offset', async () => {
    const { c, clock, store } = setup({ 'offsets.retention.minutes': 1 });
    await commit(c, { offset: 1 });
    clock.advance(30_000);
    assert.equal(await expireOffsets(c), 0);
    clock.advance(30_000);
    assert.equal(await expireOffsets(c), 1);
    assert.equal(c.store.groups.has('g'), false);
    assert.deepEqual(store.tombstones, [
      { groupId: 'g', offsets: [{ topic: 't', partition: 0 }], includeGroup: false },
    ]);
  });

  it('a stable consumer group keeps offsets of subscribed topics however old; loses them once empty', async () => {
    const { c, clock } = setup({ 'offsets.retention.minutes': 1 });
    const m = await stableMember(c, clock, 300_000);
    await commit(c, { generationId: m.generationId, memberId: m.memberId });
    clock.advance(120_000);
    assert.equal(await expireOffsets(c), 0);
    c.leaveGroup('g', [{ memberId: m.memberId, groupInstanceId: null, reason: null }]);
    clock.advance(60_000);
    assert.equal(await expireOffsets(c), 1);
  });

  it('DeleteGroups: NON_EMPTY_GROUP with members, GROUP_ID_NOT_FOUND when unknown, tombstones when deleted', async () => {
    const { c, clock, store } = setup();
    const m = await stableMember(c, clock);
    await commit(c, { generationId: m.generationId, memberId: m.memberId });
    assert.equal(await deleteGroup(c, 'g'), G.NON_EMPTY_GROUP);
    assert.equal(await deleteGroup(c, 'nope'), G.GROUP_ID_NOT_FOUND);
    c.leaveGroup('g', [{ memberId: m.memberId, groupInstanceId: null, reason: null }]);
    assert.equal(await deleteGroup(c, 'g'), G.NONE);
    assert.deepEqual(store.tombstones.at(-1), {
      groupId: 'g',
      offsets: [{ topic: 't', partition: 0 }],
      includeGroup: true,
    });
    assert.equal(await deleteGroup(c, 'g'), G.GROUP_ID_NOT_FOUND);
    assert.equal(describeGroup(c, 'g').groupState, 'Dead');
  });

  it('OffsetDelete: GROUP_SUBSCRIBED_TO_TOPIC for a topic the live group consumes; deletes otherwise', async () => {
    const { c, clock } = setup();
    const m = await stableMember(c, clock);
    await commit(c, { generationId: m.generationId, memberId: m.memberId });
    const topicExists = (t: string) => t === 't';
    let r = await deleteOffsets(
      c,
      'g',
      [
        { name: 't', partitions: [0] },
        { name: 'x', partitions: [0] },
      ],
      topicExists,
    );
    assert.deepEqual(
      r.topics.map((t) => t.partitions[0]!.errorCode),
      [G.GROUP_SUBSCRIBED_TO_TOPIC, G.UNKNOWN_TOPIC_OR_PARTITION],
    );
    assert.equal((await deleteOffsets(c, 'nope', [], topicExists)).errorCode, G.GROUP_ID_NOT_FOUND);
    c.leaveGroup('g', [{ memberId: m.memberId, groupInstanceId: null, reason: null }]);
    r = await deleteOffsets(c, 'g', [{ name: 't', partitions: [0] }], topicExists);
    assert.equal(r.topics[0]!.partitions[0]!.errorCode, G.NONE);
    assert.equal(
      fetchOffsets(c, 'g', [{ name: 't', partitionIndexes: [0] }]).topics[0]!.partitions[0]!.committedOffset,
      -1,
    );
  });

  it('ListGroups filters by state; DescribeGroups shows metadata and assignments only when Stable', async () => {
    const { c, clock } = setup();
    await stableMember(c, clock);
    await commit(c, { groupId: 'simple' });
    assert.deepEqual(
      listGroups(c, [], []).map((g) => [g.groupId, g.groupState, g.protocolType]),
      [
        ['g', 'Stable', 'consumer'],
        ['simple', 'Empty', ''],
      ],
    );
    assert.deepEqual(
      listGroups(c, ['stable'], []).map((g) => g.groupId),
      ['g'],
    );
    assert.deepEqual(listGroups(c, [], ['consumer']), []);
    const d = describeGroup(c, 'g');
    assert.equal(d.protocolData, 'range');
    assert.ok(d.members[0]!.memberAssignment.length > 0);
  });

  it("lag: each member's assigned partitions with committed offset, log end offset and lag", async () => {
    const { c, clock } = setup();
    const m = await stableMember(c, clock);
    await commit(c, { generationId: m.generationId, memberId: m.memberId, offset: 3 });
    await commit(c, { generationId: m.generationId, memberId: m.memberId, offset: 1, partition: 3 });
    const hw = new Map([
      ['t-0', 10],
      ['t-1', 4],
      ['t-3', 2],
    ]);
    const replicas = {
      getPartition: (t: string, p: number) =>
        hw.has(`${t}-${p}`) ? { isLeader: true, highWatermark: hw.get(`${t}-${p}`) } : undefined,
    } as unknown as ReplicaManager;
    const lag = describeLag(c, replicas, 'g')!;
    assert.deepEqual(
      lag.members[0]!.partitions.map((p) => [p.partition, p.committedOffset, p.logEndOffset, p.lag]),
      [
        [0, 3, 10, 7],
        [1, -1, 4, null],
      ],
    );
    assert.deepEqual(
      lag.unassigned.map((p) => [p.partition, p.lag]),
      [[3, 1]],
    );
    assert.equal(describeLag(c, replicas, 'nope'), null);
  });
});
