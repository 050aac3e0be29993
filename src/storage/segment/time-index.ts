/**
 * TimeIndex: sparse map from timestamp to offset in one segment.
 *
 * On disk (Kafka's `.timeindex`): 12-byte entries, `timestamp: int64` then `relativeOffset: int32`,
 * big-endian. An entry (t, o) says: t is the greatest timestamp in the segment so far, and o is the
 * last offset of the batch that carried it. Timestamps strictly
 * increase and offsets never decrease. Lookup by timestamp finds the greatest entry with
 * timestamp <= target; the caller scans batches from that offset for the first batch whose
 * maxTimestamp >= target.
 *
 * As in Kafka, the last slot is reserved: the index counts as full one entry early, so the final
 * entry written when the segment becomes inactive (its max timestamp, for retention) always fits.
 * Concurrency: see IndexFile.
 */
import { CorruptIndexError } from '../errors.js';
import { IndexFile } from './index-file.js';

export const TIME_INDEX_ENTRY_SIZE = 12;
export const NO_TIMESTAMP = -1;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends IndexFile {
  private constructor(path: string, baseOffset: number, maxIndexBytes: number, preallocate: boolean) {
    super(path, baseOffset, maxIndexBytes, TIME_INDEX_ENTRY_SIZE, preallocate);
  }

  static empty(path: string, baseOffset: number, maxIndexBytes: number, preallocate = true): TimeIndex {
    return new TimeIndex(path, baseOffset, maxIndexBytes, preallocate);
  }

  /** Loads a time index; CorruptIndexError on disorder, an offset beyond `maxOffset`, or a bad length. */
  static async load(
    path: string,
    baseOffset: number,
    maxIndexBytes: number,
    maxOffset: number,
    preallocate = true,
  ): Promise<{ index: TimeIndex; missing: boolean }> {
    const index = new TimeIndex(path, baseOffset, maxIndexBytes, preallocate);
    const bytes = await index.readFileBytes();
    if (bytes === null) return { index, missing: true };
    if (bytes.length % TIME_INDEX_ENTRY_SIZE !== 0) {
      throw new CorruptIndexError(`${path}: length ${bytes.length} is not a multiple of ${TIME_INDEX_ENTRY_SIZE}`);
    }
    const total = bytes.length / TIME_INDEX_ENTRY_SIZE;
    let n = 0;
    let prevTs = Number.NEGATIVE_INFINITY;
    let prevRel = -1;
    for (; n < total; n++) {
      const ts = Number(bytes.readBigInt64BE(n * 12));
      const rel = bytes.readInt32BE(n * 12 + 8);
      if (ts === 0 && rel === 0 && n > 0) break; // preallocated tail
      if (ts <= prevTs || rel < prevRel || rel < 0 || baseOffset + rel > maxOffset) {
        throw new CorruptIndexError(`${path}: entry ${n} (${ts}, ${rel}) out of order or past the log end`);
      }
      prevTs = ts;
      prevRel = rel;
    }
    if (n > index.maxEntries) throw new CorruptIndexError(`${path}: ${n} entries exceed the index size`);
    index.adopt(bytes, n);
    return { index, missing: false };
  }

  get isFull(): boolean {
    return this._entries >= this.maxEntries - 1;
  }

  entry(i: number): TimestampOffset {
    return { timestamp: Number(this.mem.readBigInt64BE(i * 12)), offset: this.baseOffset + this.mem.readInt32BE(i * 12 + 8) };
  }

  lastEntry(): TimestampOffset {
    return this._entries === 0 ? { timestamp: NO_TIMESTAMP, offset: this.baseOffset } : this.entry(this._entries - 1);
  }

  private floorSlot(timestamp: number): number {
    let lo = 0;
    let hi = this._entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (Number(this.mem.readBigInt64BE(mid * 12)) <= timestamp) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Greatest entry with timestamp <= target, or (NO_TIMESTAMP, baseOffset). */
  lookup(timestamp: number): TimestampOffset {
    const slot = this.floorSlot(timestamp);
    return slot < 0 ? { timestamp: NO_TIMESTAMP, offset: this.baseOffset } : this.entry(slot);
  }

  /**
   * Appends (timestamp, offset) if timestamp is larger than the last entry's. `force` ignores the
   * full check (the final entry at roll/close uses the reserved slot).
   */
  maybeAppend(timestamp: number, offset: number, force = false): void {
    if (!force && this.isFull) throw new CorruptIndexError(`${this.path}: time index is full`);
    if (this._entries >= this.maxEntries) return;
    const last = this.lastEntry();
    if (this._entries > 0 && offset < last.offset) {
      throw new CorruptIndexError(`${this.path}: offset ${offset} before last entry offset ${last.offset}`);
    }
    if (this._entries > 0 && timestamp <= last.timestamp) return;
    const at = this.pushEntry();
    this.mem.writeBigInt64BE(BigInt(timestamp), at);
    this.mem.writeInt32BE(offset - this.baseOffset, at + 8);
  }

  /** Removes entries whose offset is >= `offset`. */
  truncateTo(offset: number): void {
    let n = this._entries;
    while (n > 0 && this.baseOffset + this.mem.readInt32BE((n - 1) * 12 + 8) >= offset) n--;
    this.truncateToEntries(n);
  }
}
