/**
 * Client side of an incremental fetch session (KIP-227), one per broker. The first request
 * (epoch 0) sends every partition and asks the broker for a session; later requests (epoch 1,
 * 2, ...) send only partitions whose fetch offset or max bytes changed since the broker last
 * heard them, list the ones to drop in forgottenTopicsData, and leave the rest to the broker's
 * session — which answers with only the partitions that have something to say. With many
 * partitions this keeps requests and responses small, as the Java client does.
 *
 * Any doubt resets to a full request: a failed or timed-out request (the broker may or may not
 * have advanced the epoch), FETCH_SESSION_ID_NOT_FOUND or INVALID_FETCH_SESSION_EPOCH.
 */
import { tpKey } from './protocol.js';

export interface SessionPartition {
  topic: string;
  partition: number;
  position: number;
  /** partitionMaxBytes sent with it; the broker's session keeps that too. */
  maxBytes?: number;
}

export interface SessionRequest<P extends SessionPartition> {
  sessionId: number;
  sessionEpoch: number;
  /** Partitions to put in the request. */
  send: P[];
  forgotten: Array<{ topic: string; partitions: number[] }>;
  /** Call with the response's session id once it arrived without a top-level error. */
  commit(responseSessionId: number): void;
}

const MAX_EPOCH = 0x7fffffff;

export class FetchSession {
  private sessionId = 0;
  private epoch = 0;
  /** What the broker's session holds: the fetch offset and max bytes it last received. */
  private readonly known = new Map<string, SessionPartition>();

  /** Plans the next request for the partitions wanted now. */
  next<P extends SessionPartition>(wanted: readonly P[]): SessionRequest<P> {
    const full = this.sessionId === 0;
    const wantedKeys = new Set(wanted.map((p) => tpKey(p.topic, p.partition)));
    const send = full
      ? [...wanted]
      : wanted.filter((p) => {
          const k = this.known.get(tpKey(p.topic, p.partition));
          return k?.position !== p.position || k.maxBytes !== p.maxBytes;
        });
    const forgottenByTopic = new Map<string, number[]>();
    if (!full) {
      for (const [k, p] of this.known) {
        if (wantedKeys.has(k)) continue;
        const l = forgottenByTopic.get(p.topic);
        if (l) l.push(p.partition);
        else forgottenByTopic.set(p.topic, [p.partition]);
      }
    }
    const sentAt = send.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      position: p.position,
      maxBytes: p.maxBytes,
    }));
    const forgotten = [...forgottenByTopic].map(([topic, partitions]) => ({ topic, partitions }));
    const requestEpoch = full ? 0 : this.epoch;
    return {
      sessionId: this.sessionId,
      sessionEpoch: requestEpoch,
      send,
      forgotten,
      commit: (responseSessionId: number) => {
        if (full) {
          this.known.clear();
          // a broker without room for a session answers 0: stay sessionless (full requests)
          this.sessionId = responseSessionId;
          this.epoch = 1;
        } else {
          this.epoch = this.epoch >= MAX_EPOCH ? 1 : this.epoch + 1;
        }
        if (this.sessionId === 0) return;
        for (const f of forgotten) for (const partition of f.partitions) this.known.delete(tpKey(f.topic, partition));
        for (const p of sentAt) this.known.set(tpKey(p.topic, p.partition), p);
      },
    };
  }

  reset(): void {
    this.sessionId = 0;
    this.epoch = 0;
    this.known.clear();
  }
}
