import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { G } from '../../../../src/broker/group/codes.js';
import type { GroupCoordinator } from '../../../../src/broker/group/coordinator.js';
import type { JoinResult } from '../../../../src/broker/group/member.js';
import type { ManualClock } from '../../../../src/common/clock.js';
import { flush, joinParams, setup, subscription, track } from './fake-store.js';

/** Joins `n` dynamic members at once and completes the join phase. */
async function formGroup(c: GroupCoordinator, clock: ManualClock, n: number, groupId = 'g'): Promise<JoinResult[]> {
  const joins = Array.from({ length: n }, (_, i) => c.joinGroup(joinParams({ groupId, clientId: `c${i}` })));
  clock.advance(0);
  return Promise.all(joins);
}

/** The leader assigns `a<i>` to each member; resolves every member's sync result. */
async function syncAll(c: GroupCoordinator, joins: JoinResult[], groupId = 'g') {
  const leader = joins.find((j) => j.memberId === j.leaderId)!;
  const followers = joins
    .filter((j) => j !== leader)
    .map((j) =>
      c.syncGroup({
        groupId,
        generationId: j.generationId,
        memberId: j.memberId,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [],
      }),
    );
  const assignments = leader.members.map((m, i) => ({ memberId: m.memberId, assignment: Buffer.from(`a${i}`) }));
  const l = c.syncGroup({
    groupId,
    generationId: leader.generationId,
    memberId: leader.memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments,
  });
  return Promise.all([l, ...followers]);
}

describe('group coordinator: join and sync', () => {
  it('a v4+ first join is answered MEMBER_ID_REQUIRED; rejoining with that id completes generation 1', async () => {
    const { c, clock } = setup();
    const first = await c.joinGroup(joinParams({ requireKnownMemberId: true }));
    assert.equal(first.errorCode, G.MEMBER_ID_REQUIRED);
    assert.match(first.memberId, /^client-[0-9a-f-]{36}$/);
    const second = track(c.joinGroup(joinParams({ requireKnownMemberId: true, memberId: first.memberId })));
    await flush();
    assert.equal(second.settled(), false, 'waits for the initial rebalance delay');
    clock.advance(0);
    const r = await second.promise;
    assert.equal(r.errorCode, G.NONE);
    assert.equal(r.generationId, 1);
    assert.equal(r.leaderId, first.memberId);
    assert.equal(r.protocolName, 'range');
    assert.equal(r.members.length, 1);
    assert.equal(c.store.groups.get('g')!.state, 'CompletingRebalance');
  });

  it('only the leader receives the member list; followers wait in SyncGroup for the leader', async () => {
    const { c, clock } = setup();
    const joins = await formGroup(c, clock, 2);
    const leader = joins.find((j) => j.memberId === j.leaderId)!;
    const follower = joins.find((j) => j !== leader)!;
    assert.equal(leader.members.length, 2);
    assert.equal(follower.members.length, 0);
    const fSync = track(
      c.syncGroup({
        groupId: 'g',
        generationId: 1,
        memberId: follower.memberId,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [],
      }),
    );
    await flush();
    assert.equal(fSync.settled(), false);
    const lSync = await c.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: leader.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [
        { memberId: leader.memberId, assignment: Buffer.from('L') },
        { memberId: follower.memberId, assignment: Buffer.from('F') },
      ],
    });
    assert.equal(lSync.assignment.toString(), 'L');
    assert.equal((await fSync.promise).assignment.toString(), 'F');
    assert.equal(c.store.groups.get('g')!.state, 'Stable');
  });

  it('the initial rebalance delay waits for late joiners and extends while they keep coming', async () => {
    const { c, clock } = setup({ 'group.initial.rebalance.delay.ms': 100 });
    const a = track(c.joinGroup(joinParams({ clientId: 'a', rebalanceTimeoutMs: 1000 })));
    clock.advance(60);
    const b = track(c.joinGroup(joinParams({ clientId: 'b', rebalanceTimeoutMs: 1000 })));
    clock.advance(60); // first delay over, but b arrived: extended by another 100 ms
    await flush();
    assert.equal(a.settled(), false);
    clock.advance(100);
    const [ra, rb] = await Promise.all([a.promise, b.promise]);
    assert.equal(ra.generationId, 1);
    assert.equal(rb.generationId, 1);
  });

  it('protocol selection: the protocol every member supports that most members prefer', async () => {
    const { c, clock } = setup();
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: subscription(['t']) }));
    const joins = [
      c.joinGroup(joinParams({ protocols: p('roundrobin', 'range') })),
      c.joinGroup(joinParams({ protocols: p('sticky', 'range', 'roundrobin') })),
      c.joinGroup(joinParams({ protocols: p('range', 'roundrobin') })),
    ];
    clock.advance(0);
    const r = await Promise.all(joins);
    // Candidates {range, roundrobin}; votes: roundrobin 1, range 2 (sticky is not common).
    assert.ok(r.every((x) => x.protocolName === 'range'));
  });

  it('INCONSISTENT_GROUP_PROTOCOL for another protocol type or no common protocol', async () => {
    const { c, clock } = setup();
    await formGroup(c, clock, 1);
    assert.equal((await c.joinGroup(joinParams({ protocolType: 'connect' }))).errorCode, G.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal(
      (await c.joinGroup(joinParams({ protocols: [{ name: 'other', metadata: Buffer.alloc(0) }] }))).errorCode,
      G.INCONSISTENT_GROUP_PROTOCOL,
    );
    assert.equal(
      (await c.joinGroup(joinParams({ groupId: 'fresh', protocols: [] }))).errorCode,
      G.INCONSISTENT_GROUP_PROTOCOL,
    );
  });

  it('INVALID_SESSION_TIMEOUT outside group.min/max.session.timeout.ms; INVALID_GROUP_ID for ""', async () => {
    const { c } = setup({ 'group.min.session.timeout.ms': 100, 'group.max.session.timeout.ms': 1000 });
    assert.equal((await c.joinGroup(joinParams({ sessionTimeoutMs: 99 }))).errorCode, G.INVALID_SESSION_TIMEOUT);
    assert.equal((await c.joinGroup(joinParams({ sessionTimeoutMs: 1001 }))).errorCode, G.INVALID_SESSION_TIMEOUT);
    assert.equal((await c.joinGroup(joinParams({ groupId: '' }))).errorCode, G.INVALID_GROUP_ID);
  });

  it('GROUP_MAX_SIZE_REACHED once group.max.size members are in', async () => {
    const { c, clock } = setup({ 'group.max.size': 2 });
    await formGroup(c, clock, 2);
    const r = await c.joinGroup(joinParams({ clientId: 'third' }));
    assert.equal(r.errorCode, G.GROUP_MAX_SIZE_REACHED);
  });

  it('an unknown member id gets UNKNOWN_MEMBER_ID; a garbage subscription is accepted (not parsed for membership)', async () => {
    const { c, clock } = setup();
    assert.equal((await c.joinGroup(joinParams({ memberId: 'nobody' }))).errorCode, G.UNKNOWN_MEMBER_ID);
    const j = c.joinGroup(joinParams({ protocols: [{ name: 'range', metadata: Buffer.from([0xff, 0xff, 1, 2, 3]) }] }));
    clock.advance(0);
    assert.equal((await j).errorCode, G.NONE);
    assert.equal(c.store.groups.get('g')!.subscribedTopics, null);
  });
});

describe('group coordinator: liveness and fencing', () => {
  it('heartbeats: NONE when current, ILLEGAL_GENERATION when stale, REBALANCE_IN_PROGRESS during a rebalance', async () => {
    const { c, clock } = setup();
    const joins = await formGroup(c, clock, 1);
    await syncAll(c, joins);
    const m = joins[0]!.memberId;
    assert.equal(c.heartbeat('g', m, null, 1), G.NONE);
    assert.equal(c.heartbeat('g', m, null, 0), G.ILLEGAL_GENERATION);
    assert.equal(c.heartbeat('g', 'ghost', null, 1), G.UNKNOWN_MEMBER_ID);
    assert.equal(c.heartbeat('nogroup', m, null, 1), G.UNKNOWN_MEMBER_ID);
    void c.joinGroup(joinParams({ clientId: 'new' })); // a second member starts a rebalance
    assert.equal(c.heartbeat('g', m, null, 1), G.REBALANCE_IN_PROGRESS);
  });

  it('a member that stops heartbeating is removed after session.timeout.ms and the group rebalances', async () => {
    const { c, clock } = setup();
    const joins = await formGroup(c, clock, 2);
    await syncAll(c, joins);
    const [a, b] = joins as [JoinResult, JoinResult];
    clock.advance(300);
    assert.equal(c.heartbeat('g', a.memberId, null, 1), G.NONE);
    clock.advance(300); // b's 500 ms session is over; a heartbeated at 300
    const g = c.store.groups.get('g')!;
    assert.equal(g.has(b.memberId), false);
    assert.equal(g.state, 'PreparingRebalance');
    const rejoin = await c.joinGroup(joinParams({ memberId: a.memberId }));
    assert.equal(rejoin.generationId, 2);
    assert.equal(rejoin.members.length, 1);
  });

  it('members that do not rejoin within rebalance.timeout.ms are dropped from the next generation', async () => {
    const { c, clock } = setup();
    const joins = await formGroup(c, clock, 2);
    await syncAll(c, joins);
    const [a, b] = joins as [JoinResult, JoinResult];
    const newcomer = track(c.joinGroup(joinParams({ clientId: 'n', sessionTimeoutMs: 5000 })));
    const aRejoin = track(c.joinGroup(joinParams({ memberId: a.memberId, sessionTimeoutMs: 5000 })));
    // b keeps heartbeating (told to rejoin) but never does.
    clock.advance(400);
    assert.equal(c.heartbeat('g', b.memberId, null, 1), G.REBALANCE_IN_PROGRESS);
    clock.advance(400);
    assert.equal(c.heartbeat('g', b.memberId, null, 1), G.REBALANCE_IN_PROGRESS);
    await flush();
    assert.equal(newcomer.settled(), false);
    clock.advance(200); // rebalance timeout (1000 ms) since the rebalance began
    const [rn, ra] = await Promise.all([newcomer.promise, aRejoin.promise]);
    assert.equal(rn.generationId, 2);
    assert.equal(ra.generationId, 2);
    assert.equal(c.store.groups.get('g')!.has(b.memberId), false);
  });

  it('members that never send SyncGroup are removed after the rebalance timeout', async () => {
    const { c, clock } = setup();
    const joins = await formGroup(c, clock, 2);
    const leader = joins.find((j) => j.memberId === j.leaderId)!;
    const follower = joins.find((j) => j !== leader)!;
    await c.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: leader.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    // Both stay alive by heartbeating; the follower just never syncs.
    for (let i = 0; i < 2; i++) {
      clock.advance(400);
      assert.equal(c.heartbeat('g', leader.memberId, null, 1), G.NONE);
      assert.equal(c.heartbeat('g', follower.memberId, null, 1), G.NONE);
    }
    assert.equal(c.store.groups.get('g')!.has(follower.memberId), true);
    clock.advance(200);
    const g = c.store.groups.get('g')!;
    assert.equal(g.has(follower.memberId), false);
    assert.equal(g.state, 'PreparingRebalance');
  });

  it('LeaveGroup removes the member and starts a rebalance; unknown members get UNKNOWN_MEMBER_ID', async () => {
    const { c, clock } = setup();
    const joins = await formGroup(c, clock, 2);
    await syncAll(c, joins);
    const r = c.leaveGroup('g', [
      { memberId: joins[1]!.memberId, groupInstanceId: null, reason: 'bye' },
      { memberId: 'ghost', groupInstanceId: null, reason: null },
    ]);
    assert.deepEqual(
      r.members.map((m) => m.errorCode),
      [G.NONE, G.UNKNOWN_MEMBER_ID],
    );
    assert.equal(c.store.groups.get('g')!.state, 'PreparingRebalance');
    const rejoin = await c.joinGroup(joinParams({ memberId: joins[0]!.memberId }));
    assert.equal(rejoin.generationId, 2);
  });

  it('the last member leaving empties the group (generation moves on, group record stored)', async () => {
    const { c, clock, store } = setup();
    const joins = await formGroup(c, clock, 1);
    await syncAll(c, joins);
    const writes = store.groupWrites;
    c.leaveGroup('g', [{ memberId: joins[0]!.memberId, groupInstanceId: null, reason: null }]);
    const g = c.store.groups.get('g')!;
    assert.equal(g.state, 'Empty');
    assert.equal(g.generationId, 2);
    await flush();
    assert.equal(store.groupWrites, writes + 1);
  });

  it('SyncGroup with a stale generation gets ILLEGAL_GENERATION; a store failure fails the sync and rebalances', async () => {
    const { c, clock, store } = setup();
    const joins = await formGroup(c, clock, 1);
    const m = joins[0]!.memberId;
    const stale = await c.syncGroup({
      groupId: 'g',
      generationId: 0,
      memberId: m,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    assert.equal(stale.errorCode, G.ILLEGAL_GENERATION);
    const wrongProtocol = await c.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: m,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'roundrobin',
      assignments: [],
    });
    assert.equal(wrongProtocol.errorCode, G.INCONSISTENT_GROUP_PROTOCOL);
    store.writeError = G.NOT_COORDINATOR;
    const failed = await c.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: m,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    assert.equal(failed.errorCode, G.NOT_COORDINATOR);
    assert.equal(c.store.groups.get('g')!.state, 'PreparingRebalance');
  });

  it('a rebalance while the leader assignment is being stored fails waiting syncs with REBALANCE_IN_PROGRESS', async () => {
    const { c, clock, store } = setup();
    const joins = await formGroup(c, clock, 2);
    const leader = joins.find((j) => j.memberId === j.leaderId)!;
    const follower = joins.find((j) => j !== leader)!;
    store.hold = true;
    const fSync = c.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: follower.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    const lSync = c.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: leader.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    void c.joinGroup(joinParams({ clientId: 'late' }));
    assert.equal((await fSync).errorCode, G.REBALANCE_IN_PROGRESS);
    assert.equal((await lSync).errorCode, G.REBALANCE_IN_PROGRESS);
    store.release();
    await flush();
    assert.equal(c.store.groups.get('g')!.state, 'PreparingRebalance');
  });
});

describe('group coordinator: static membership', () => {
  async function staticGroup() {
    const env = setup();
    const { c, clock } = env;
    const joins = [
      c.joinGroup(joinParams({ groupInstanceId: 'i1', clientId: 'a', sessionTimeoutMs: 3000 })),
      c.joinGroup(joinParams({ groupInstanceId: 'i2', clientId: 'b', sessionTimeoutMs: 3000 })),
    ];
    clock.advance(0);
    const r = await Promise.all(joins);
    await syncAll(c, r);
    return { ...env, joins: r };
  }

  it('a static member restarting within the session timeout rejoins without a rebalance and keeps its assignment', async () => {
    const { c, joins } = await staticGroup();
    const g = c.store.groups.get('g')!;
    const old = joins.find((j) => j.memberId === g.staticMemberId('i2'))!;
    const before = g.get(old.memberId)!.assignment;
    const r = await c.joinGroup(joinParams({ groupInstanceId: 'i2', clientId: 'b', sessionTimeoutMs: 3000 }));
    assert.equal(r.errorCode, G.NONE);
    assert.equal(r.generationId, 1, 'no new generation');
    assert.notEqual(r.memberId, old.memberId);
    assert.equal(g.state, 'Stable');
    const sync = await c.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: r.memberId,
      groupInstanceId: 'i2',
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    assert.deepEqual(sync.assignment, before);
    // The previous incarnation is fenced.
    assert.equal(c.heartbeat('g', old.memberId, 'i2', 1), G.FENCED_INSTANCE_ID);
    assert.equal(c.heartbeat('g', r.memberId, 'i2', 1), G.NONE);
  });

  it('a static leader rejoining is not told to reassign (pre-v9) or told to skip assignment (v9)', async () => {
    const { c } = await staticGroup();
    const g = c.store.groups.get('g')!;
    const leaderInstance = [...g.staticMembers].find(([, id]) => id === g.leaderId)![0];
    const oldLeader = g.leaderId;
    const r = await c.joinGroup(joinParams({ groupInstanceId: leaderInstance, sessionTimeoutMs: 3000 }));
    assert.equal(r.leaderId, oldLeader);
    assert.notEqual(r.memberId, r.leaderId);
    const instance2 = await c.joinGroup(
      joinParams({ groupInstanceId: leaderInstance, sessionTimeoutMs: 3000, supportSkippingAssignment: true }),
    );
    assert.equal(instance2.skipAssignment, true);
    assert.equal(instance2.leaderId, instance2.memberId);
    assert.equal(instance2.members.length, 2);
    assert.equal(g.generationId, 1);
  });

  it('a static member that misses a rebalance keeps its place; its session expiry finally removes it', async () => {
    const { c, clock, joins } = await staticGroup();
    const g = c.store.groups.get('g')!;
    const keep = g.staticMemberId('i1')!;
    const gone = g.staticMemberId('i2')!;
    const rejoin = c.joinGroup(
      joinParams({
        memberId: keep,
        groupInstanceId: 'i1',
        sessionTimeoutMs: 3000,
        protocols: [{ name: 'range', metadata: subscription(['t', 'u']) }],
      }),
    );
    clock.advance(1000); // rebalance timeout: i2 did not rejoin
    const r = await rejoin;
    assert.equal(r.generationId, 2);
    assert.equal(g.has(gone), true, 'static member survives the missed round');
    assert.equal(r.members.length, joins.length, "and is in the leader's member list");
    clock.advance(3000);
    assert.equal(g.has(gone), false, 'a static member that never returns is removed in the end');
  });

  it('batch LeaveGroup by group.instance.id only (admin removal), FENCED_INSTANCE_ID for a mismatched member id', async () => {
    const { c } = await staticGroup();
    const g = c.store.groups.get('g')!;
    const r = c.leaveGroup('g', [
      { memberId: '', groupInstanceId: 'i1', reason: null },
      { memberId: 'not-the-member', groupInstanceId: 'i2', reason: null },
      { memberId: '', groupInstanceId: 'i9', reason: null },
    ]);
    assert.deepEqual(
      r.members.map((m) => m.errorCode),
      [G.NONE, G.FENCED_INSTANCE_ID, G.UNKNOWN_MEMBER_ID],
    );
    assert.equal(g.staticMemberId('i1'), undefined);
  });
});

describe('group coordinator: shutdown', () => {
  it('unloading answers waiting JoinGroup requests NOT_COORDINATOR and stops timers', async () => {
    const { c, clock } = setup({ 'group.initial.rebalance.delay.ms': 1000 });
    const j = c.joinGroup(joinParams());
    const g = c.store.groups.get('g')!;
    c.onGroupUnloaded(g);
    assert.equal((await j).errorCode, G.NOT_COORDINATOR);
    assert.equal(g.state, 'Dead');
    assert.equal(clock.pendingTimers, 0);
  });
});
