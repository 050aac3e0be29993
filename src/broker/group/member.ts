/**
 * One member of a classic group (Kafka's MemberMetadata): identity, timeouts, the protocols it
 * supports with their metadata, its current assignment, and the JoinGroup / SyncGroup responses it
 * is waiting for. Owned by its ClassicGroup; the coordinator drives it.
 *
 * Invariants: at most one pending join and one pending sync response; a member awaiting a join
 * or a sync is alive by definition (its session timer is the rebalance's business).
 */
import type { TimerHandle } from '../../common/clock.js';

export interface JoinResult {
  errorCode: number;
  memberId: string;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string;
  skipAssignment: boolean;
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export type JoinCallback = (r: JoinResult) => void;
export type SyncCallback = (r: SyncResult) => void;

export interface Protocol {
  name: string;
  metadata: Buffer;
}

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

export const EMPTY = Buffer.alloc(0);

export function joinError(memberId: string, errorCode: number): JoinResult {
  return {
    errorCode,
    memberId,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leaderId: '',
    skipAssignment: false,
    members: [],
  };
}

export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

export class MemberMetadata {
  assignment: Buffer = EMPTY;
  awaitingJoin: JoinCallback | null = null;
  awaitingSync: SyncCallback | null = null;
  /** Joined in the current rebalance and has not yet received a JoinGroup response. */
  isNew = false;
  /** Set by a heartbeat (or any proof of life) since the session timer was last armed. */
  heartbeatSatisfied = false;
  isLeaving = false;
  /** The session (or new-member join) expiry timer. */
  heartbeatTimer: TimerHandle | null = null;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public supportedProtocols: Protocol[],
  ) {}

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== null;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSync !== null;
  }

  /** Kafka's hasSatisfiedHeartbeat: a member in the middle of a rebalance round is alive. */
  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return this.heartbeatSatisfied;
    if (this.isAwaitingJoin || this.isAwaitingSync) return true;
    return this.heartbeatSatisfied;
  }

  /** Metadata this member sent for `protocol`, or undefined when it does not support it. */
  metadata(protocol: string): Buffer | undefined {
    return this.supportedProtocols.find((p) => p.name === protocol)?.metadata;
  }

  /** Same protocols, in the same order, with the same metadata (a rejoin that changes nothing). */
  matches(protocols: Protocol[]): boolean {
    if (protocols.length !== this.supportedProtocols.length) return false;
    return protocols.every(
      (p, i) => p.name === this.supportedProtocols[i]!.name && p.metadata.equals(this.supportedProtocols[i]!.metadata),
    );
  }

  /** The first of this member's protocols (its order is its preference) among `candidates`. */
  vote(candidates: Set<string>): string {
    const p = this.supportedProtocols.find((x) => candidates.has(x.name));
    if (p === undefined) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return p.name;
  }
}
