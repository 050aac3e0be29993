/**
 * ClassicGroup: the state of one consumer group under Kafka's classic protocol (Kafka's
 * GroupMetadata) — members, generation, selected protocol, leader, static members, pending
 * members (v4+ joins that were told MEMBER_ID_REQUIRED) and the group's committed offsets.
 * Pure state: no timers, no I/O. The GroupCoordinator drives it and owns all side effects.
 *
 * States and legal transitions (Kafka's):
 *   Empty               <- PreparingRebalance
 *   PreparingRebalance  <- Empty | Stable | CompletingRebalance
 *   CompletingRebalance <- PreparingRebalance
 *   Stable              <- CompletingRebalance
 *   Dead                <- any
 * Invariants: `leaderId` is a member (or null when there are none); `numMembersAwaitingJoin`
 * equals the members with a pending join; `protocolCounts` counts, per protocol name, the members
 * supporting it; every static member's instance id maps to its current member id.
 * Concurrency: event-loop only; callers re-check state after every await.
 */
import { decodeConsumerProtocolSubscription } from '../../protocol/messages/consumer-protocol-subscription.js';
import { Reader } from '../../protocol/primitives/index.js';
import type { MemberMetadata, Protocol } from './member.js';
import type { CommittedOffset } from './offsets-records.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

const VALID_PREVIOUS: Record<GroupState, GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Empty', 'Stable', 'CompletingRebalance'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
};

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export class ClassicGroup {
  state: GroupState;
  /** Wall-clock time of the last state change (persisted; drives offset expiry of empty groups). */
  currentStateTimestamp: number;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  readonly members = new Map<string, MemberMetadata>();
  /** group.instance.id -> current member id. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED and not yet used for a join. */
  readonly pendingMembers = new Set<string>();
  /** Members that got a JoinGroup response this generation but have not sent SyncGroup. */
  readonly pendingSyncMembers = new Set<string>();
  numMembersAwaitingJoin = 0;
  /** Set when a member joins during the initial rebalance delay, which then extends. */
  newMemberAdded = false;
  private readonly protocolCounts = new Map<string, number>();
  /** Topics the members subscribe to (consumer protocol), or null when unknown. */
  subscribedTopics: Set<string> | null = null;

  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  /** Offset writes in flight per "topic\0partition": expiry must not race a commit. */
  readonly pendingOffsetCommits = new Map<string, number>();

  constructor(
    readonly groupId: string,
    initialState: GroupState,
    now: number,
  ) {
    this.state = initialState;
    this.currentStateTimestamp = now;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  transitionTo(target: GroupState, now: number): void {
    if (!VALID_PREVIOUS[target].includes(this.state)) {
      throw new Error(`group ${this.groupId}: illegal transition ${this.state} -> ${target}`);
    }
    this.state = target;
    this.currentStateTimestamp = now;
  }

  canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.includes(this.state);
  }

  get size(): number {
    return this.members.size;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): MemberMetadata | undefined {
    return this.members.get(memberId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  staticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  isPendingMember(memberId: string): boolean {
    return this.pendingMembers.has(memberId);
  }

  add(member: MemberMetadata): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.countProtocols(member, 1);
    if (member.isAwaitingJoin) this.numMembersAwaitingJoin++;
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    this.pendingMembers.delete(member.memberId);
  }

  remove(memberId: string): MemberMetadata | undefined {
    const m = this.members.get(memberId);
    if (m === undefined) return undefined;
    this.members.delete(memberId);
    this.countProtocols(m, -1);
    if (m.isAwaitingJoin) this.numMembersAwaitingJoin--;
    if (m.groupInstanceId !== null && this.staticMembers.get(m.groupInstanceId) === memberId)
      this.staticMembers.delete(m.groupInstanceId);
    this.pendingSyncMembers.delete(memberId);
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    return m;
  }

  /** A static member rejoining with a new member id takes over the old member's entry. */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): MemberMetadata {
    const m = this.members.get(oldMemberId);
    if (m === undefined)
      throw new Error(`group ${this.groupId}: static member ${groupInstanceId} has no member ${oldMemberId}`);
    this.members.delete(oldMemberId);
    m.memberId = newMemberId;
    this.members.set(newMemberId, m);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    this.staticMembers.set(groupInstanceId, newMemberId);
    return m;
  }

  /** Replaces a member's protocols and timeouts; `awaitingJoin` is set by the caller. */
  updateMember(m: MemberMetadata, protocols: Protocol[], rebalanceTimeoutMs: number, sessionTimeoutMs: number): void {
    this.countProtocols(m, -1);
    m.supportedProtocols = protocols;
    this.countProtocols(m, 1);
    m.rebalanceTimeoutMs = rebalanceTimeoutMs;
    m.sessionTimeoutMs = sessionTimeoutMs;
  }

  setAwaitingJoin(m: MemberMetadata, cb: MemberMetadata['awaitingJoin']): void {
    if (cb !== null && !m.isAwaitingJoin) this.numMembersAwaitingJoin++;
    else if (cb === null && m.isAwaitingJoin) this.numMembersAwaitingJoin--;
    m.awaitingJoin = cb;
  }

  private countProtocols(m: MemberMetadata, delta: number): void {
    for (const p of new Set(m.supportedProtocols.map((x) => x.name))) {
      const n = (this.protocolCounts.get(p) ?? 0) + delta;
      if (n <= 0) this.protocolCounts.delete(p);
      else this.protocolCounts.set(p, n);
    }
  }

  /** Kafka's supportsProtocols: an empty group takes any non-empty offer; otherwise one protocol all members share. */
  supportsProtocols(protocolType: string, protocolNames: string[]): boolean {
    if (this.is('Empty') || this.members.size === 0) return protocolType.length > 0 && protocolNames.length > 0;
    return (
      this.protocolType === protocolType && protocolNames.some((p) => this.protocolCounts.get(p) === this.members.size)
    );
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.numMembersAwaitingJoin && this.pendingMembers.size === 0;
  }

  notYetRejoinedMembers(): MemberMetadata[] {
    return [...this.members.values()].filter((m) => !m.isAwaitingJoin);
  }

  /** The longest rebalance timeout of any member: how long a rebalance waits for rejoins. */
  rebalanceTimeoutMs(): number {
    let t = 0;
    for (const m of this.members.values()) t = Math.max(t, m.rebalanceTimeoutMs);
    return t;
  }

  /** If the leader did not rejoin, any member that did becomes leader. False when none rejoined. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader?.isAwaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /**
   * Kafka's selectProtocol: among the protocols every member supports, each member votes for its
   * most preferred; the most votes wins (ties go to the earliest member's preference).
   */
  selectProtocol(): string {
    const candidates = new Set<string>();
    for (const [name, n] of this.protocolCounts) if (n === this.members.size) candidates.add(name);
    if (candidates.size === 0) throw new Error(`group ${this.groupId}: no protocol supported by all members`);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = -1;
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    return best;
  }

  /** Starts the next generation after a join round: CompletingRebalance with members, else Empty. */
  initNextGeneration(now: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.transitionTo('CompletingRebalance', now);
    } else {
      this.protocolName = null;
      this.transitionTo('Empty', now);
    }
    this.subscribedTopics = this.computeSubscribedTopics();
    this.pendingSyncMembers.clear();
    for (const id of this.members.keys()) this.pendingSyncMembers.add(id);
  }

  /** Decodes every member's consumer-protocol subscription; null if any cannot be read. */
  computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE || this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const meta = m.metadata(this.protocolName);
      const sub = meta ? decodeSubscription(meta) : null;
      if (sub === null) return null;
      for (const t of sub.topics) topics.add(t);
    }
    return topics;
  }

  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === null || this.subscribedTopics.has(topic);
  }

  /** Members with their metadata for the selected protocol (the leader's JoinGroup response). */
  currentMemberMetadata(): Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }> {
    const protocol = this.protocolName;
    if (protocol === null) return [];
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(protocol) ?? Buffer.alloc(0),
    }));
  }

  // ---- offsets ----

  offset(topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(topic)?.get(partition);
  }

  setOffset(topic: string, partition: number, c: CommittedOffset): void {
    let t = this.offsets.get(topic);
    if (t === undefined) {
      t = new Map();
      this.offsets.set(topic, t);
    }
    t.set(partition, c);
  }

  removeOffset(topic: string, partition: number): boolean {
    const t = this.offsets.get(topic);
    if (t === undefined) return false;
    const had = t.delete(partition);
    if (t.size === 0) this.offsets.delete(topic);
    return had;
  }

  get hasOffsets(): boolean {
    return this.offsets.size > 0 || this.pendingOffsetCommits.size > 0;
  }

  /**
   * Offsets past their retention (Kafka's removeExpiredOffsets rules): an empty group with a
   * protocol expires from the time it became empty; a stable consumer group only for topics it no
   * longer subscribes to; a group used only for offset storage from each commit's time. Explicit
   * expire timestamps (old clients) always win. Removes and returns them.
   */
  removeExpiredOffsets(now: number, retentionMs: number): Array<{ topic: string; partition: number }> {
    let base: ((c: CommittedOffset) => number) | null = null;
    let keepTopics: Set<string> = new Set();
    if (this.protocolType !== null && this.protocolType !== '' && this.is('Empty')) {
      base = (c) => Math.max(this.currentStateTimestamp, c.commitTimestamp);
    } else if (this.protocolType === CONSUMER_PROTOCOL_TYPE && this.subscribedTopics !== null && this.is('Stable')) {
      base = (c) => c.commitTimestamp;
      keepTopics = this.subscribedTopics;
    } else if (this.protocolType === null || this.protocolType === '') {
      base = (c) => c.commitTimestamp;
    }
    if (base === null) return [];
    const expired: Array<{ topic: string; partition: number }> = [];
    for (const [topic, parts] of this.offsets) {
      if (keepTopics.has(topic)) continue;
      for (const [partition, c] of parts) {
        if (this.pendingOffsetCommits.has(`${topic}\0${partition}`)) continue;
        const isExpired = c.expireTimestamp !== null ? now >= c.expireTimestamp : now - base(c) >= retentionMs;
        if (isExpired) expired.push({ topic, partition });
      }
    }
    for (const e of expired) this.removeOffset(e.topic, e.partition);
    return expired;
  }
}

/** A consumer-protocol subscription (int16 version + body), or null if it is not one. */
export function decodeSubscription(metadata: Buffer): { topics: string[] } | null {
  try {
    const r = new Reader(metadata);
    const version = r.int16();
    if (version < 0) return null;
    return decodeConsumerProtocolSubscription(r, Math.min(version, 3));
  } catch {
    return null;
  }
}
