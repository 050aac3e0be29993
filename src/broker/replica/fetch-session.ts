/**
 * Fetch sessions (KIP-227, Fetch v7+): a client that fetches the same partitions repeatedly sends
 * them once, then only what changed ("incremental" fetches), and the broker answers only the
 * partitions with something new. FetchSessionCache owns the sessions; each session owns its
 * partitions in insertion order, with what the client asked for and what it was last told.
 *
 * Epochs: 0 opens a session (full fetch), -1 fetches without one (full, closes `sessionId` if set),
 * n > 0 continues session `sessionId` and must equal the session's next epoch.
 * Bounded by max.incremental.fetch.session.cache.slots (Kafka's default 1000); least recently used
 * sessions are evicted first. Event-loop only.
 */
import { randomInt } from 'node:crypto';
import { E } from '../errors.js';

export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;

export interface SessionPartition {
  topic: string;
  topicId: Buffer;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  /** Last values sent to the client (-1 = never sent): a change means "include me". */
  lastHighWatermark: number;
  lastLogStartOffset: number;
  lastStableOffset: number;
}

export class FetchSession {
  readonly partitions = new Map<string, SessionPartition>();
  epoch = 1;
  lastUsedMs: number;

  constructor(
    readonly id: number,
    nowMs: number,
  ) {
    this.lastUsedMs = nowMs;
  }
}

export type SessionResolution =
  | { kind: 'sessionless' }
  | { kind: 'new'; session: FetchSession | undefined }
  | { kind: 'incremental'; session: FetchSession }
  | { kind: 'error'; errorCode: number };

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();

  constructor(private readonly maxSessions = 1000) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Decides what kind of fetch this is, creating or advancing a session as needed. */
  resolve(sessionId: number, sessionEpoch: number, nowMs: number): SessionResolution {
    if (sessionEpoch === FINAL_EPOCH) {
      if (sessionId !== 0) this.sessions.delete(sessionId);
      return { kind: 'sessionless' };
    }
    if (sessionEpoch === INITIAL_EPOCH) {
      if (sessionId !== 0) this.sessions.delete(sessionId);
      return { kind: 'new', session: this.create(nowMs) };
    }
    const session = this.sessions.get(sessionId);
    if (session === undefined) return { kind: 'error', errorCode: E.FETCH_SESSION_ID_NOT_FOUND };
    if (session.epoch !== sessionEpoch) return { kind: 'error', errorCode: E.INVALID_FETCH_SESSION_EPOCH };
    session.lastUsedMs = nowMs;
    // LRU order: re-insert at the end.
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, session);
    return { kind: 'incremental', session };
  }

  private create(nowMs: number): FetchSession | undefined {
    if (this.maxSessions <= 0) return undefined;
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value as number;
      this.sessions.delete(oldest);
    }
    let id: number;
    do id = randomInt(1, 2 ** 31 - 1);
    while (this.sessions.has(id));
    const s = new FetchSession(id, nowMs);
    this.sessions.set(id, s);
    return s;
  }

  remove(sessionId: number): void {
    this.sessions.delete(sessionId);
  }
}
