/**
 * GroupCoordinator: Kafka's classic group coordinator — JoinGroup, SyncGroup, Heartbeat and
 * LeaveGroup drive each group's state machine (classic-group.ts); offsets and admin operations are
 * in group-offsets.ts and group-admin.ts; persistence in group-store.ts.
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
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { BrokerConfig } from '../../common/config/broker-config.js';
import type { Logger } from '../../common/logger.js';
import { ClassicGroup } from './classic-group.js';
import { G } from './codes.js';
import type { GroupStore } from './group-store.js';
import { EMPTY, type JoinResult, MemberMetadata, type Protocol, type SyncResult, joinError, syncError } from './member.js';

/** Kafka's GroupCoordinator.NewMemberJoinTimeoutMs. */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

export interface JoinGroupParams {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  /** v4+: a first join is answered MEMBER_ID_REQUIRED with the id to use. */
  requireKnownMemberId: boolean;
  /** v9+: a rejoining static leader may be told to skip the assignment. */
  supportSkippingAssignment: boolean;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  reason: string | null;
}

export interface SyncGroupParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface LeaveResult {
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}

interface GroupTimers {
  join?: { handle: TimerHandle; initial: boolean };
  sync?: TimerHandle;
}

export interface GroupCoordinatorOptions {
  config: BrokerConfig;
  clock: Clock;
  logger: Logger;
}

export class GroupCoordinator {
  readonly timers = new WeakMap<ClassicGroup, GroupTimers>();
  private readonly pendingMemberTimers = new Map<string, TimerHandle>();
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

  // ---- JoinGroup ----

  joinGroup(p: JoinGroupParams): Promise<JoinResult> {
    return new Promise((resolve) => {
      const respond = (r: JoinResult) => resolve(r);
      const status = this.groupStatus(p.groupId, false);
      if (status !== G.NONE) return respond(joinError(p.memberId, status));
      const cfg = this.opts.config;
      if (p.sessionTimeoutMs < cfg.int('group.min.session.timeout.ms') || p.sessionTimeoutMs > cfg.int('group.max.session.timeout.ms')) {
        return respond(joinError(p.memberId, G.INVALID_SESSION_TIMEOUT));
      }
      const isUnknownMember = p.memberId === '';
      let group = this.store.groups.get(p.groupId);
      if (group === undefined) {
        if (!isUnknownMember) return respond(joinError(p.memberId, G.UNKNOWN_MEMBER_ID));
        group = new ClassicGroup(p.groupId, 'Empty', this.clock.now());
        this.store.groups.set(p.groupId, group);
      }
      if (!this.acceptJoiningMember(group, p.memberId)) return respond(joinError('', G.GROUP_MAX_SIZE_REACHED));
      if (isUnknownMember) this.doNewMemberJoin(group, p, respond);
      else this.doCurrentMemberJoin(group, p, respond);
      if (group.is('PreparingRebalance')) this.maybeCompleteJoin(group);
    });
  }

  private acceptJoiningMember(group: ClassicGroup, memberId: string): boolean {
    const max = this.opts.config.int('group.max.size');
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        // Awaiting members, not size: the group may exceed a lowered max, and the last to rejoin are cut.
        return group.get(memberId)?.isAwaitingJoin === true || group.numMembersAwaitingJoin < max;
      default:
        return group.has(memberId) || group.size < max;
    }
  }

  private doNewMemberJoin(group: ClassicGroup, p: JoinGroupParams, respond: (r: JoinResult) => void): void {
    if (group.is('Dead')) return respond(joinError(p.memberId, G.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(p.protocolType, p.protocols.map((x) => x.name))) {
      return respond(joinError(p.memberId, G.INCONSISTENT_GROUP_PROTOCOL));
    }
    const newMemberId = `${p.groupInstanceId ?? p.clientId}-${randomUUID()}`;
    if (p.groupInstanceId !== null) return this.doStaticMemberJoin(group, p, newMemberId, respond);
    if (p.requireKnownMemberId) {
      // KIP-394: the member learns its id first, so a retried join cannot leave a ghost member.
      group.pendingMembers.add(newMemberId);
      this.schedulePendingMemberExpiry(group, newMemberId, p.sessionTimeoutMs);
      return respond(joinError(newMemberId, G.MEMBER_ID_REQUIRED));
    }
    this.addMemberAndRebalance(group, p, newMemberId, respond);
  }

  private doStaticMemberJoin(group: ClassicGroup, p: JoinGroupParams, newMemberId: string, respond: (r: JoinResult) => void): void {
    const instanceId = p.groupInstanceId!;
    const oldMemberId = group.staticMemberId(instanceId);
    if (oldMemberId === undefined) return this.addMemberAndRebalance(group, p, newMemberId, respond);
    // A known static member restarted: it takes over its old entry under a new id, and whoever
    // still holds the old id is fenced.
    const currentLeader = group.leaderId ?? '';
    const old = group.get(oldMemberId)!;
    const oldProtocols = old.supportedProtocols;
    const oldRebalanceTimeout = old.rebalanceTimeoutMs;
    const oldSessionTimeout = old.sessionTimeoutMs;
    this.invokeJoin(group, old, joinError(oldMemberId, G.FENCED_INSTANCE_ID));
    this.invokeSync(old, syncError(G.FENCED_INSTANCE_ID));
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    this.scheduleHeartbeatExpiry(group, member);
    group.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs);
    switch (group.state) {
      case 'PreparingRebalance':
        group.setAwaitingJoin(member, respond);
        return;
      case 'CompletingRebalance':
        // The leader may be assigning under the old id; a new round gives the new id an assignment.
        group.setAwaitingJoin(member, respond);
        this.prepareRebalance(group, `static member ${instanceId} rejoined during CompletingRebalance`);
        return;
      case 'Stable': {
        if (group.selectProtocol() !== group.protocolName) {
          group.setAwaitingJoin(member, respond);
          this.prepareRebalance(group, `static member ${instanceId} rejoined with a different protocol`);
          return;
        }
        // Same protocol: no rebalance (the point of static membership). Persist the new id first.
        const generation = group.generationId;
        const assignment = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment]));
        void this.store.storeGroup(group, assignment).then((err) => {
          this.guard('static member rejoin', () => {
            if (err !== G.NONE) {
              if (group.get(newMemberId) === member && group.generationId === generation) {
                group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
                group.updateMember(member, oldProtocols, oldRebalanceTimeout, oldSessionTimeout);
              }
              return respond(joinError('', err));
            }
            const isLeader = group.isLeader(newMemberId);
            const skip = p.supportSkippingAssignment && isLeader;
            respond({
              errorCode: G.NONE,
              memberId: newMemberId,
              generationId: group.generationId,
              protocolType: group.protocolType,
              protocolName: group.protocolName,
              // The old leader id keeps a rejoined leader that cannot skip from reassigning a
              // Stable group (its new assignment would never reach the others).
              leaderId: skip ? newMemberId : currentLeader,
              skipAssignment: skip,
              members: skip ? group.currentMemberMetadata() : [],
            });
          });
        });
        return;
      }
      default:
        respond(joinError(p.memberId, G.UNKNOWN_SERVER_ERROR));
    }
  }

  private doCurrentMemberJoin(group: ClassicGroup, p: JoinGroupParams, respond: (r: JoinResult) => void): void {
    if (group.is('Dead')) return respond(joinError(p.memberId, G.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(p.protocolType, p.protocols.map((x) => x.name))) {
      return respond(joinError(p.memberId, G.INCONSISTENT_GROUP_PROTOCOL));
    }
    if (group.isPendingMember(p.memberId)) {
      this.pendingMemberTimers.get(`${group.groupId}\0${p.memberId}`)?.cancel();
      this.pendingMemberTimers.delete(`${group.groupId}\0${p.memberId}`);
      return this.addMemberAndRebalance(group, p, p.memberId, respond);
    }
    const err = this.validateCurrentMember(group, p.memberId, p.groupInstanceId);
    if (err !== G.NONE) return respond(joinError(p.memberId, err));
    const member = group.get(p.memberId)!;
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, p, respond);
      case 'CompletingRebalance':
        // Same metadata: it most likely missed our JoinGroup response; answer it again.
        if (member.matches(p.protocols)) return respond(this.currentGenerationResult(group, member, group.isLeader(member.memberId)));
        return this.updateMemberAndRebalance(group, member, p, respond);
      case 'Stable':
        // The leader rejoining means it wants a new assignment (e.g. its metadata changed).
        if (group.isLeader(member.memberId) || !member.matches(p.protocols)) return this.updateMemberAndRebalance(group, member, p, respond);
        return respond(this.currentGenerationResult(group, member, false));
      default:
        return respond(joinError(p.memberId, G.UNKNOWN_MEMBER_ID));
    }
  }

  private currentGenerationResult(group: ClassicGroup, member: MemberMetadata, withMembers: boolean): JoinResult {
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

  private addMemberAndRebalance(group: ClassicGroup, p: JoinGroupParams, memberId: string, respond: (r: JoinResult) => void): void {
    const member = new MemberMetadata(memberId, p.groupInstanceId, p.clientId, p.clientHost, p.rebalanceTimeoutMs, p.sessionTimeoutMs, p.protocolType, p.protocols);
    member.isNew = true;
    member.awaitingJoin = respond;
    // A member arriving during the initial delay extends it (up to the rebalance timeout).
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member);
    this.scheduleHeartbeatExpiry(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(group, `adding new member ${memberId}${p.reason ? ` (${p.reason})` : ''}`);
  }

  private updateMemberAndRebalance(group: ClassicGroup, member: MemberMetadata, p: JoinGroupParams, respond: (r: JoinResult) => void): void {
    // A second JoinGroup from the same member replaces the first; the first is told to retry.
    if (member.awaitingJoin !== null) this.invokeJoin(group, member, joinError(member.memberId, G.REBALANCE_IN_PROGRESS));
    group.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs);
    group.setAwaitingJoin(member, respond);
    this.maybePrepareRebalance(group, `updating metadata of member ${member.memberId}${p.reason ? ` (${p.reason})` : ''}`);
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
    this.logger.debug({ groupId: group.groupId, generation: group.generationId, reason }, 'preparing to rebalance group');
    if (wasEmpty) {
      const delay = this.opts.config.int('group.initial.rebalance.delay.ms');
      this.scheduleInitialJoin(group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0));
    } else {
      this.scheduleJoin(group, group.rebalanceTimeoutMs());
      this.maybeCompleteJoin(group);
    }
  }

  private timersOf(group: ClassicGroup): GroupTimers {
    let t = this.timers.get(group);
    if (t === undefined) this.timers.set(group, (t = {}));
    return t;
  }

  private scheduleJoin(group: ClassicGroup, timeoutMs: number): void {
    const t = this.timersOf(group);
    t.join?.handle.cancel();
    t.join = { initial: false, handle: this.clock.setTimeout(() => this.guard('join timeout', () => this.completeJoin(group)), timeoutMs) };
  }

  private scheduleInitialJoin(group: ClassicGroup, delayMs: number, remainingMs: number): void {
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
  private completeJoin(group: ClassicGroup): void {
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
    this.logger.info({ groupId: group.groupId, generation: group.generationId, members: group.size, protocol: group.protocolName }, 'group rebalanced');
    for (const m of [...group.members.values()]) {
      this.invokeJoin(group, m, this.currentGenerationResult(group, m, group.isLeader(m.memberId)));
      this.scheduleHeartbeatExpiry(group, m);
      m.isNew = false;
    }
    this.schedulePendingSync(group);
  }

  private schedulePendingSync(group: ClassicGroup): void {
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

  // ---- SyncGroup ----

  syncGroup(p: SyncGroupParams): Promise<SyncResult> {
    return new Promise((resolve) => {
      const status = this.groupStatus(p.groupId, false);
      if (status !== G.NONE) return resolve(syncError(status));
      const group = this.store.groups.get(p.groupId);
      if (group === undefined) return resolve(syncError(G.UNKNOWN_MEMBER_ID));
      if (group.is('Dead')) return resolve(syncError(G.COORDINATOR_NOT_AVAILABLE));
      const err = this.validateCurrentMember(group, p.memberId, p.groupInstanceId);
      if (err !== G.NONE) return resolve(syncError(err));
      if (p.generationId !== group.generationId) return resolve(syncError(G.ILLEGAL_GENERATION));
      if ((p.protocolType !== null && p.protocolType !== group.protocolType) || (p.protocolName !== null && p.protocolName !== group.protocolName)) {
        return resolve(syncError(G.INCONSISTENT_GROUP_PROTOCOL));
      }
      const member = group.get(p.memberId)!;
      switch (group.state) {
        case 'Empty':
          return resolve(syncError(G.UNKNOWN_MEMBER_ID));
        case 'PreparingRebalance':
          return resolve(syncError(G.REBALANCE_IN_PROGRESS));
        case 'Stable':
          group.pendingSyncMembers.delete(member.memberId);
          this.scheduleHeartbeatExpiry(group, member);
          return resolve({ errorCode: G.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment });
        case 'CompletingRebalance': {
          if (member.awaitingSync !== null) this.invokeSync(member, syncError(G.REBALANCE_IN_PROGRESS));
          member.awaitingSync = resolve;
          group.pendingSyncMembers.delete(member.memberId);
          if (!group.isLeader(member.memberId)) return;
          const assignment = new Map<string, Buffer>();
          for (const a of p.assignments) if (group.has(a.memberId)) assignment.set(a.memberId, Buffer.from(a.assignment));
          for (const id of group.members.keys()) if (!assignment.has(id)) assignment.set(id, EMPTY);
          const generation = group.generationId;
          void this.store.storeGroup(group, assignment).then((storeErr) =>
            this.guard('store assignment', () => {
              if (!group.is('CompletingRebalance') || group.generationId !== generation) return;
              if (storeErr !== G.NONE) {
                this.resetAndPropagateAssignmentError(group, storeErr);
                this.maybePrepareRebalance(group, `failed to store assignment: error ${storeErr}`);
              } else {
                for (const [id, a] of assignment) {
                  const m = group.get(id);
                  if (m) m.assignment = a;
                }
                this.propagateAssignment(group, G.NONE);
                group.transitionTo('Stable', this.clock.now());
              }
            }),
          );
          return;
        }
        default:
          return resolve(syncError(G.COORDINATOR_NOT_AVAILABLE));
      }
    });
  }

  protected resetAndPropagateAssignmentError(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY;
    this.propagateAssignment(group, errorCode);
  }

  private propagateAssignment(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) {
      if (m.awaitingSync === null) continue;
      this.invokeSync(m, { errorCode, protocolType: group.protocolType, protocolName: group.protocolName, assignment: errorCode === G.NONE ? m.assignment : EMPTY });
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

  // ---- Heartbeat ----

  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    const status = this.groupStatus(groupId, false);
    if (status !== G.NONE) return status;
    const group = this.store.groups.get(groupId);
    if (group === undefined) return G.UNKNOWN_MEMBER_ID;
    if (group.is('Dead')) return G.COORDINATOR_NOT_AVAILABLE;
    const err = this.validateCurrentMember(group, memberId, groupInstanceId);
    if (err !== G.NONE) return err;
    const member = group.get(memberId)!;
    switch (group.state) {
      case 'Empty':
        return G.UNKNOWN_MEMBER_ID;
      case 'PreparingRebalance':
        this.scheduleHeartbeatExpiry(group, member);
        return G.REBALANCE_IN_PROGRESS;
      default:
        // CompletingRebalance counts too: members may heartbeat between JoinGroup and SyncGroup.
        if (generationId !== group.generationId) return G.ILLEGAL_GENERATION;
        this.scheduleHeartbeatExpiry(group, member);
        return G.NONE;
    }
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

  private schedulePendingMemberExpiry(group: ClassicGroup, memberId: string, timeoutMs: number): void {
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

  // ---- LeaveGroup ----

  leaveGroup(groupId: string, leaving: Array<{ memberId: string; groupInstanceId: string | null; reason: string | null }>): LeaveResult {
    const status = this.groupStatus(groupId, false);
    if (status !== G.NONE) return { errorCode: status, members: [] };
    const group = this.store.groups.get(groupId);
    const result = (errorCode: number) => (l: { memberId: string; groupInstanceId: string | null }) => ({ memberId: l.memberId, groupInstanceId: l.groupInstanceId, errorCode });
    if (group === undefined) return { errorCode: G.NONE, members: leaving.map(result(G.UNKNOWN_MEMBER_ID)) };
    if (group.is('Dead')) return { errorCode: G.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members = leaving.map((l) => {
      let memberId = l.memberId;
      if (group.isPendingMember(memberId)) {
        group.pendingMembers.delete(memberId);
        this.pendingMemberTimers.get(`${groupId}\0${memberId}`)?.cancel();
        if (group.is('PreparingRebalance')) this.maybeCompleteJoin(group);
        return result(G.NONE)(l);
      }
      // An admin removing a static member by instance id only (v3+ batch leave).
      if (memberId === '' && l.groupInstanceId !== null) memberId = group.staticMemberId(l.groupInstanceId) ?? '';
      const err = this.validateCurrentMember(group, memberId, l.groupInstanceId);
      if (err !== G.NONE) return result(err)(l);
      this.removeMemberAndUpdateGroup(group, group.get(memberId)!, `member left the group${l.reason ? `: ${l.reason}` : ''}`);
      return result(G.NONE)(l);
    });
    return { errorCode: G.NONE, members };
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
