/**
 * RebalanceEngine: the timers and transitions under the classic group protocol (Kafka's
 * GroupCoordinator internals) — preparing and completing rebalances, the join and sync phases,
 * session expiry, answering waiting members — shared by the request paths in coordinator.ts.
 *
 * Owns every timer of the protocol, all through the broker's Clock:
 *  - per member: session expiry (session.timeout.ms; 5 minutes for a member's first join, as
 *    Kafka's new-member join timeout);
 *  - per pending member (told MEMBER_ID_REQUIRED): expiry after its session timeout;
 *  - per group: the join phase (the longest rebalance.timeout.ms of the members, or
 *    group.initial.rebalance.delay.ms for a group leaving Empty, extended while members keep
 *    arriving) and the sync phase (members that got a JoinGroup response but never sync are
 *    removed after the rebalance timeout).
 * Invariants: a group in PreparingRebalance has a join timer; a pending JoinGroup / SyncGroup
 * response is answered exactly once (a result, an error, or NOT_COORDINATOR on shutdown).
 * Concurrency: event-loop only. Every callback that runs after an await or a timer re-checks the
 * group's state and generation, since anything may have happened meanwhile. Timer callbacks never
 * throw (an unexpected error is logged and the group left as it is).
 */
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { BrokerConfig } from '../../common/config/broker-config.js';
import type { Logger } from '../../common/logger.js';
import type { ClassicGroup } from './classic-group.js';
import { G } from './codes.js';
import type { GroupStore } from './group-store.js';
import { EMPTY, type JoinResult, type MemberMetadata, type SyncResult, joinError, syncError } from './member.js';

interface GroupTimers {
  join?: { handle: TimerHandle; initial: boolean };
  sync?: TimerHandle;
}

export interface GroupCoordinatorOptions {
  config: BrokerConfig;
  clock: Clock;
  logger: Logger;
}

export class RebalanceEngine {
  readonly timers = new WeakMap<ClassicGroup, GroupTimers>();
  protected readonly pendingMemberTimers = new Map<string, TimerHandle>();
  store!: GroupStore;

  constructor(readonly opts: GroupCoordinatorOptions) {}

  protected get clock(): Clock {
    return this.opts.clock;
  }

  protected get logger(): Logger {
    return this.opts.logger;
  }

  /** Kafka's validateGroupStatus: NONE, or the error every request for the group gets. */
  groupStatus(groupId: string, allowEmptyId: boolean): number {
    if (!allowEmptyId && groupId === '') return G.INVALID_GROUP_ID;
    return this.store.groupStatus(groupId);
  }

  /** Runs a timer callback; a bug in it is logged instead of taking the broker down. */
  protected guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error({ err }, `group coordinator: ${what} failed`);
    }
  }

  protected currentGenerationResult(group: ClassicGroup, member: MemberMetadata, withMembers: boolean): JoinResult {
    return {
      errorCode: G.NONE,
      memberId: member.memberId,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leaderId: group.leaderId ?? '',
      skipAssignment: false,
      members: withMembers ? group.currentMemberMetadata() : [],
    };
  }

  /** Kafka's validateCurrentMember: the instance id (if any) maps to this member id, which exists. */
  validateCurrentMember(group: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = group.staticMemberId(groupInstanceId);
      if (current === undefined) return G.UNKNOWN_MEMBER_ID;
      if (current !== memberId) return G.FENCED_INSTANCE_ID;
      return G.NONE;
    }
    return group.has(memberId) ? G.NONE : G.UNKNOWN_MEMBER_ID;
  }

  protected maybePrepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.canRebalance()) this.prepareRebalance(group, reason);
  }

  protected prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(group, G.REBALANCE_IN_PROGRESS);
    const t = this.timersOf(group);
    t.sync?.cancel();
    t.sync = undefined;
    group.pendingSyncMembers.clear();
    const wasEmpty = group.is('Empty');
    group.transitionTo('PreparingRebalance', this.clock.now());
    this.logger.debug(
      { groupId: group.groupId, generation: group.generationId, reason },
      'preparing to rebalance group',
    );
    if (wasEmpty) {
      const delay = this.opts.config.int('group.initial.rebalance.delay.ms');
      this.scheduleInitialJoin(group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0));
    } else {
      this.scheduleJoin(group, group.rebalanceTimeoutMs());
      this.maybeCompleteJoin(group);
    }
  }

  protected timersOf(group: ClassicGroup): GroupTimers {
    let t = this.timers.get(group);
    if (t === undefined) {
      t = {};
      this.timers.set(group, t);
    }
    return t;
  }

  protected scheduleJoin(group: ClassicGroup, timeoutMs: number): void {
    const t = this.timersOf(group);
    t.join?.handle.cancel();
    t.join = {
      initial: false,
      handle: this.clock.setTimeout(() => this.guard('join timeout', () => this.completeJoin(group)), timeoutMs),
    };
  }

  protected scheduleInitialJoin(group: ClassicGroup, delayMs: number, remainingMs: number): void {
    const t = this.timersOf(group);
    t.join?.handle.cancel();
    const handle = this.clock.setTimeout(
      () =>
        this.guard('initial rebalance delay', () => {
          if (group.newMemberAdded && remainingMs !== 0) {
            group.newMemberAdded = false;
            const delay = Math.min(this.opts.config.int('group.initial.rebalance.delay.ms'), remainingMs);
            this.scheduleInitialJoin(group, delay, Math.max(remainingMs - delay, 0));
          } else {
            this.completeJoin(group);
          }
        }),
      delayMs,
    );
    t.join = { initial: true, handle };
  }

  /** Kafka's DelayedJoin.tryComplete: completes the join phase once everyone has rejoined. */
  protected maybeCompleteJoin(group: ClassicGroup): void {
    const join = this.timers.get(group)?.join;
    if (!group.is('PreparingRebalance') || join === undefined || join.initial) return;
    if (group.hasAllMembersJoined()) this.completeJoin(group);
  }

  /** Kafka's onCompleteJoin: drop members that did not rejoin, start the next generation, answer everyone. */
  protected completeJoin(group: ClassicGroup): void {
    const t = this.timersOf(group);
    t.join?.handle.cancel();
    t.join = undefined;
    if (!group.is('PreparingRebalance')) return;
    // Static members keep their place across a missed round: that is what lets them restart.
    for (const m of group.notYetRejoinedMembers()) {
      if (m.isStatic) continue;
      m.heartbeatTimer?.cancel();
      group.remove(m.memberId);
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Nobody rejoined: wait another round; session expiry removes the silent members meanwhile.
      this.logger.warn({ groupId: group.groupId }, 'group could not complete rebalance because no members rejoined');
      this.scheduleJoin(group, group.rebalanceTimeoutMs());
      return;
    }
    group.initNextGeneration(this.clock.now());
    if (group.is('Empty')) {
      void this.store.storeGroup(group, new Map()).then((err) => {
        if (err !== G.NONE) this.logger.warn({ groupId: group.groupId, errorCode: err }, 'failed to store empty group');
      });
      return;
    }
    this.logger.info(
      { groupId: group.groupId, generation: group.generationId, members: group.size, protocol: group.protocolName },
      'group rebalanced',
    );
    for (const m of [...group.members.values()]) {
      this.invokeJoin(group, m, this.currentGenerationResult(group, m, group.isLeader(m.memberId)));
      this.scheduleHeartbeatExpiry(group, m);
      m.isNew = false;
    }
    this.schedulePendingSync(group);
  }

  protected schedulePendingSync(group: ClassicGroup): void {
    const t = this.timersOf(group);
    t.sync?.cancel();
    const generation = group.generationId;
    t.sync = this.clock.setTimeout(
      () =>
        this.guard('sync timeout', () => {
          if (group.generationId !== generation || !(group.is('CompletingRebalance') || group.is('Stable'))) return;
          if (group.pendingSyncMembers.size === 0) return;
          const late = [...group.pendingSyncMembers];
          for (const id of late) {
            const m = group.get(id);
            m?.heartbeatTimer?.cancel();
            group.remove(id);
          }
          this.prepareRebalance(group, `removing members ${late.join(', ')} that did not sync in time`);
        }),
      group.rebalanceTimeoutMs(),
    );
  }

  protected resetAndPropagateAssignmentError(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY;
    this.propagateAssignment(group, errorCode);
  }

  protected propagateAssignment(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) {
      if (m.awaitingSync === null) continue;
      this.invokeSync(m, {
        errorCode,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        assignment: errorCode === G.NONE ? m.assignment : EMPTY,
      });
      // Its session may have lapsed while it waited on the leader or the store; start it afresh.
      this.scheduleHeartbeatExpiry(group, m);
    }
  }

  protected invokeJoin(group: ClassicGroup, m: MemberMetadata, r: JoinResult): void {
    const cb = m.awaitingJoin;
    if (cb === null) return;
    group.setAwaitingJoin(m, null);
    cb(r);
  }

  protected invokeSync(m: MemberMetadata, r: SyncResult): void {
    const cb = m.awaitingSync;
    if (cb === null) return;
    m.awaitingSync = null;
    cb(r);
  }

  /** Kafka's completeAndScheduleNextExpiration: proof of life now, next deadline in `timeoutMs`. */
  scheduleHeartbeatExpiry(group: ClassicGroup, member: MemberMetadata, timeoutMs = member.sessionTimeoutMs): void {
    member.heartbeatTimer?.cancel();
    member.heartbeatSatisfied = false;
    member.heartbeatTimer = this.clock.setTimeout(
      () =>
        this.guard('session expiry', () => {
          if (group.get(member.memberId) !== member || member.hasSatisfiedHeartbeat()) return;
          this.logger.info({ groupId: group.groupId, memberId: member.memberId }, 'member session expired');
          this.removeMemberAndUpdateGroup(group, member, 'session timeout');
        }),
      timeoutMs,
    );
  }

  protected schedulePendingMemberExpiry(group: ClassicGroup, memberId: string, timeoutMs: number): void {
    const key = `${group.groupId}\0${memberId}`;
    this.pendingMemberTimers.get(key)?.cancel();
    this.pendingMemberTimers.set(
      key,
      this.clock.setTimeout(
        () =>
          this.guard('pending member expiry', () => {
            this.pendingMemberTimers.delete(key);
            if (!group.pendingMembers.delete(memberId)) return;
            if (group.is('PreparingRebalance')) this.maybeCompleteJoin(group);
          }),
        timeoutMs,
      ),
    );
  }

  protected removeMemberAndUpdateGroup(group: ClassicGroup, member: MemberMetadata, reason: string): void {
    member.heartbeatTimer?.cancel();
    member.isLeaving = true;
    this.invokeJoin(group, member, joinError(member.memberId, G.UNKNOWN_MEMBER_ID));
    this.invokeSync(member, syncError(G.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.maybePrepareRebalance(group, `removing member ${member.memberId}: ${reason}`);
        break;
      case 'PreparingRebalance':
        this.maybeCompleteJoin(group);
        break;
      default:
    }
  }

  // ---- lifecycle ----

  /** Session timers for members of a group just loaded from the log: they must heartbeat to stay. */
  onGroupLoaded(group: ClassicGroup): void {
    for (const m of group.members.values()) this.scheduleHeartbeatExpiry(group, m);
  }

  /** Kafka's onGroupUnloaded: the group is gone from here; waiting members look for the new coordinator. */
  onGroupUnloaded(group: ClassicGroup): void {
    const previous = group.state;
    const t = this.timers.get(group);
    t?.join?.handle.cancel();
    t?.sync?.cancel();
    for (const m of group.members.values()) m.heartbeatTimer?.cancel();
    for (const id of group.pendingMembers) this.pendingMemberTimers.get(`${group.groupId}\0${id}`)?.cancel();
    group.transitionTo('Dead', this.clock.now());
    if (previous === 'Empty' || previous === 'Dead') return;
    for (const m of group.members.values()) {
      this.invokeJoin(group, m, joinError(m.memberId, G.NOT_COORDINATOR));
      this.invokeSync(m, syncError(G.NOT_COORDINATOR));
    }
  }

  /** Marks an empty group Dead and forgets it (deletion, expiry); its timers are stopped. */
  killGroup(group: ClassicGroup): void {
    const t = this.timers.get(group);
    t?.join?.handle.cancel();
    t?.sync?.cancel();
    group.transitionTo('Dead', this.clock.now());
    if (this.store.groups.get(group.groupId) === group) this.store.groups.delete(group.groupId);
  }
}
