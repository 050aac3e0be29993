/**
 * DelayedFetch: a Fetch that found fewer than min.bytes waits until enough bytes have been
 * appended to its partitions, a partition it reads changes leadership or disappears, or
 * max.wait.ms passes; then it reads again and answers. Bytes are counted from each partition's
 * running append counter, so deciding costs no reads.
 */
import type { Partition } from './partition.js';
import { DelayedOperation } from './purgatory.js';

export class DelayedFetch extends DelayedOperation {
  private readonly start: Array<{ partition: Partition | undefined; appended: number; leaderEpoch: number }>;

  constructor(
    delayMs: number,
    partitions: Array<Partition | undefined>,
    private readonly bytesAlready: number,
    private readonly minBytes: number,
    private readonly complete: () => void,
  ) {
    super(delayMs);
    this.start = partitions.map((p) => ({ partition: p, appended: p?.bytesAppended ?? 0, leaderEpoch: p?.leaderEpoch ?? -1 }));
  }

  tryComplete(): boolean {
    let bytes = this.bytesAlready;
    for (const s of this.start) {
      const p = s.partition;
      if (p === undefined) continue;
      if (!p.isLeader || p.leaderEpoch !== s.leaderEpoch || p.isDeleted) return this.forceComplete();
      bytes += p.bytesAppended - s.appended;
    }
    return bytes >= this.minBytes ? this.forceComplete() : false;
  }

  protected onComplete(): void {
    this.complete();
  }
}
