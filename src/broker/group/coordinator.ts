/**
 * GroupCoordinator: Kafka's classic group coordinator request paths — JoinGroup (new, pending,
 * static and current members), SyncGroup, Heartbeat and LeaveGroup — over each group's state
 * machine (classic-group.ts). Timers and rebalance transitions are in rebalance.ts; offsets and
 * admin operations in group-offsets.ts and group-admin.ts; persistence in group-store.ts.
 * Concurrency: event-loop only; see rebalance.ts for the contract every path keeps.
 */
import { randomUUID } from 'node:crypto';
import { ClassicGroup } from './classic-group.js';
import { G } from './codes.js';
import {
  EMPTY,
  type JoinGroupParams,
  type JoinResult,
  type LeaveResult,
  MemberMetadata,
  type SyncGroupParams,
  type SyncResult,
  joinError,
  syncError,
} from './member.js';
import { RebalanceEngine } from './rebalance.js';

export type { JoinGroupParams, LeaveResult, SyncGroupParams } from './member.js';
export type { GroupCoordinatorOptions } from './rebalance.js';

/** Kafka's GroupCoordinator.NewMemberJoinTimeoutMs. */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

export class GroupCoordinator extends RebalanceEngine {
  // ---- JoinGroup ----

  joinGroup(p: JoinGroupParams): Promise<JoinResult> {
    return new Promise((resolve) => {
      const respond = (r: JoinResult) => resolve(r);
      const status = this.groupStatus(p.groupId, false);
      if (status !== G.NONE) {
        respond(joinError(p.memberId, status));
        return;
      }
      const cfg = this.opts.config;
      if (
        p.sessionTimeoutMs < cfg.int('group.min.session.timeout.ms') ||
        p.sessionTimeoutMs > cfg.int('group.max.session.timeout.ms')
      ) {
        respond(joinError(p.memberId, G.INVALID_SESSION_TIMEOUT));
        return;
      }
      const isUnknownMember = p.memberId === '';
      let group = this.store.groups.get(p.groupId);
      if (group === undefined) {
        if (!isUnknownMember) {
          respond(joinError(p.memberId, G.UNKNOWN_MEMBER_ID));
          return;
        }
        group = new ClassicGroup(p.groupId, 'Empty', this.clock.now());
        this.store.groups.set(p.groupId, group);
      }
      if (!this.acceptJoiningMember(group, p.memberId)) {
        respond(joinError('', G.GROUP_MAX_SIZE_REACHED));
        return;
      }
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
    if (group.is('Dead')) {
      respond(joinError(p.memberId, G.COORDINATOR_NOT_AVAILABLE));
      return;
    }
    if (
      !group.supportsProtocols(
        p.protocolType,
        p.protocols.map((x) => x.name),
      )
    ) {
      respond(joinError(p.memberId, G.INCONSISTENT_GROUP_PROTOCOL));
      return;
    }
    const newMemberId = `${p.groupInstanceId ?? p.clientId}-${randomUUID()}`;
    if (p.groupInstanceId !== null) {
      this.doStaticMemberJoin(group, p, newMemberId, respond);
      return;
    }
    if (p.requireKnownMemberId) {
      // KIP-394: the member learns its id first, so a retried join cannot leave a ghost member.
      group.pendingMembers.add(newMemberId);
      this.schedulePendingMemberExpiry(group, newMemberId, p.sessionTimeoutMs);
      respond(joinError(newMemberId, G.MEMBER_ID_REQUIRED));
      return;
    }
    this.addMemberAndRebalance(group, p, newMemberId, respond);
  }

  private doStaticMemberJoin(
    group: ClassicGroup,
    p: JoinGroupParams,
    newMemberId: string,
    respond: (r: JoinResult) => void,
  ): void {
    const instanceId = p.groupInstanceId!;
    const oldMemberId = group.staticMemberId(instanceId);
    if (oldMemberId === undefined) {
      this.addMemberAndRebalance(group, p, newMemberId, respond);
      return;
    }
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
              respond(joinError('', err));
              return;
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
    if (group.is('Dead')) {
      respond(joinError(p.memberId, G.COORDINATOR_NOT_AVAILABLE));
      return;
    }
    if (
      !group.supportsProtocols(
        p.protocolType,
        p.protocols.map((x) => x.name),
      )
    ) {
      respond(joinError(p.memberId, G.INCONSISTENT_GROUP_PROTOCOL));
      return;
    }
    if (group.isPendingMember(p.memberId)) {
      this.pendingMemberTimers.get(`${group.groupId}\0${p.memberId}`)?.cancel();
      this.pendingMemberTimers.delete(`${group.groupId}\0${p.memberId}`);
      this.addMemberAndRebalance(group, p, p.memberId, respond);
      return;
    }
    const err = this.validateCurrentMember(group, p.memberId, p.groupInstanceId);
    if (err !== G.NONE) {
      respond(joinError(p.memberId, err));
      return;
    }
    const member = group.get(p.memberId)!;
    switch (group.state) {
      case 'PreparingRebalance':
        this.updateMemberAndRebalance(group, member, p, respond);
        return;
      case 'CompletingRebalance':
        // Same metadata: it most likely missed our JoinGroup response; answer it again.
        if (member.matches(p.protocols)) {
          respond(this.currentGenerationResult(group, member, group.isLeader(member.memberId)));
          return;
        }
        this.updateMemberAndRebalance(group, member, p, respond);
        return;
      case 'Stable':
        // The leader rejoining means it wants a new assignment (e.g. its metadata changed).
        if (group.isLeader(member.memberId) || !member.matches(p.protocols)) {
          this.updateMemberAndRebalance(group, member, p, respond);
          return;
        }
        respond(this.currentGenerationResult(group, member, false));
        return;
      default:
        respond(joinError(p.memberId, G.UNKNOWN_MEMBER_ID));
        return;
    }
  }

  private addMemberAndRebalance(
    group: ClassicGroup,
    p: JoinGroupParams,
    memberId: string,
    respond: (r: JoinResult) => void,
  ): void {
    const member = new MemberMetadata(
      memberId,
      p.groupInstanceId,
      p.clientId,
      p.clientHost,
      p.rebalanceTimeoutMs,
      p.sessionTimeoutMs,
      p.protocolType,
      p.protocols,
    );
    member.isNew = true;
    member.awaitingJoin = respond;
    // A member arriving during the initial delay extends it (up to the rebalance timeout).
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member);
    this.scheduleHeartbeatExpiry(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(group, `adding new member ${memberId}${p.reason ? ` (${p.reason})` : ''}`);
  }

  private updateMemberAndRebalance(
    group: ClassicGroup,
    member: MemberMetadata,
    p: JoinGroupParams,
    respond: (r: JoinResult) => void,
  ): void {
    // A second JoinGroup from the same member replaces the first; the first is told to retry.
    if (member.awaitingJoin !== null)
      this.invokeJoin(group, member, joinError(member.memberId, G.REBALANCE_IN_PROGRESS));
    group.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs);
    group.setAwaitingJoin(member, respond);
    this.maybePrepareRebalance(
      group,
      `updating metadata of member ${member.memberId}${p.reason ? ` (${p.reason})` : ''}`,
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
      if (
        (p.protocolType !== null && p.protocolType !== group.protocolType) ||
        (p.protocolName !== null && p.protocolName !== group.protocolName)
      ) {
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
          return resolve({
            errorCode: G.NONE,
            protocolType: group.protocolType,
            protocolName: group.protocolName,
            assignment: member.assignment,
          });
        case 'CompletingRebalance': {
          if (member.awaitingSync !== null) this.invokeSync(member, syncError(G.REBALANCE_IN_PROGRESS));
          member.awaitingSync = resolve;
          group.pendingSyncMembers.delete(member.memberId);
          if (!group.isLeader(member.memberId)) return;
          const assignment = new Map<string, Buffer>();
          for (const a of p.assignments)
            if (group.has(a.memberId)) assignment.set(a.memberId, Buffer.from(a.assignment));
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

  // ---- LeaveGroup ----

  leaveGroup(
    groupId: string,
    leaving: Array<{ memberId: string; groupInstanceId: string | null; reason: string | null }>,
  ): LeaveResult {
    const status = this.groupStatus(groupId, false);
    if (status !== G.NONE) return { errorCode: status, members: [] };
    const group = this.store.groups.get(groupId);
    const result = (errorCode: number) => (l: { memberId: string; groupInstanceId: string | null }) => ({
      memberId: l.memberId,
      groupInstanceId: l.groupInstanceId,
      errorCode,
    });
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
      this.removeMemberAndUpdateGroup(
        group,
        group.get(memberId)!,
        `member left the group${l.reason ? `: ${l.reason}` : ''}`,
      );
      return result(G.NONE)(l);
    });
    return { errorCode: G.NONE, members };
  }
}
