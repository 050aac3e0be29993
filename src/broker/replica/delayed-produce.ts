/**
 * DelayedProduce: a Produce with acks=-1 waits until every partition it wrote has a high
 * watermark past its last offset (all ISR replicas have the data), or times out with
 * REQUEST_TIMED_OUT for the partitions still short. On one node the HW moves on append, so this
 * normally completes on its first check; the structure is what replication needs.
 */
import { E } from '../errors.js';
import type { Partition } from './partition.js';
import { DelayedOperation } from './purgatory.js';

export interface ProducePartitionStatus {
  partition: Partition | undefined;
  /** Offset the HW must reach (lastOffset + 1); -1 when the append failed. */
  requiredOffset: number;
  result: ProducePartitionResult;
}

export interface ProducePartitionResult {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
}

export class DelayedProduce extends DelayedOperation {
  constructor(
    delayMs: number,
    private readonly statuses: Map<string, ProducePartitionStatus>,
    private readonly respond: (results: Map<string, ProducePartitionResult>) => void,
  ) {
    super(delayMs);
  }

  tryComplete(): boolean {
    for (const s of this.statuses.values()) {
      if (s.result.errorCode !== E.NONE || s.requiredOffset < 0) continue;
      const p = s.partition!;
      if (!p.isLeader) {
        s.result.errorCode = E.NOT_LEADER_OR_FOLLOWER;
        continue;
      }
      if (p.highWatermark < s.requiredOffset) return false;
    }
    return this.forceComplete();
  }

  protected override onExpiration(): void {
    for (const s of this.statuses.values()) {
      if (s.result.errorCode === E.NONE && s.requiredOffset >= 0 && (s.partition?.highWatermark ?? 0) < s.requiredOffset) {
        s.result.errorCode = E.REQUEST_TIMED_OUT;
      }
    }
  }

  protected onComplete(): void {
    const out = new Map<string, ProducePartitionResult>();
    for (const [k, s] of this.statuses) out.set(k, s.result);
    this.respond(out);
  }
}
