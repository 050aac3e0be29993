/**
 * RecentBatches: where the last few batches appended to a segment sit in its file, so a fetch at
 * the tail (a consumer keeping up, a long poll woken by an append) finds its batch without the
 * offset index and without reading the file: that lookup otherwise costs a file read through
 * libuv's thread pool on every tail fetch.
 *
 * In memory only, a ring of the last `capacity` batches in append order. Invariant: the entries
 * are the last batches of the segment, contiguous in the file, so when `offset` >= the oldest
 * entry's baseOffset, the batch containing it (the first with lastOffset >= offset) is in the ring
 * or does not exist yet. The owner clears it whenever the file changes other than by an append
 * (truncation, recovery).
 */
export interface RecentBatch {
  baseOffset: number;
  lastOffset: number;
  /** Byte position in the segment file. */
  position: number;
  size: number;
}

export class RecentBatches {
  private readonly ring: Array<RecentBatch | undefined>;
  /** Index of the oldest entry and the number of entries. */
  private head = 0;
  private count = 0;

  constructor(private readonly capacity = 64) {
    this.ring = new Array<RecentBatch | undefined>(capacity);
  }

  add(batch: RecentBatch): void {
    if (this.count < this.capacity) {
      this.ring[(this.head + this.count) % this.capacity] = batch;
      this.count++;
    } else {
      this.ring[this.head] = batch;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  clear(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  /**
   * The batch containing `offset`; null when the ring covers `offset` but no batch reaches it
   * yet; undefined when `offset` is older than the ring (look it up in the file).
   */
  find(offset: number): RecentBatch | null | undefined {
    if (this.count === 0 || offset < this.ring[this.head]!.baseOffset) return undefined;
    // Newest first: tail fetches ask for the last batch or the one after it.
    let found: RecentBatch | null = null;
    for (let i = this.count - 1; i >= 0; i--) {
      const b = this.ring[(this.head + i) % this.capacity]!;
      if (b.lastOffset < offset) break;
      found = b;
    }
    return found;
  }
}
