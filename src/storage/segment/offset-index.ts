/**
 * OffsetIndex: sparse map from offset to the byte position of a batch in one segment's .log.
 *
 * On disk (Kafka's `.index`): 8-byte entries, `relativeOffset: int32` (offset - segment base
 * offset) then `position: int32`, big-endian. An entry (o, p) says: the batch starting at byte p
 * ends at offset o (Kafka indexes a batch by its last offset). Entries strictly increase in both
 * fields. Lookup finds the greatest entry with offset <= target; the caller scans forward from its
 * position to the batch that contains the target.
 *
 * Invariants: relative offsets fit in int32 (the segment rolls before they would overflow);
 * an entry is only added after its batch is written. Concurrency: see IndexFile.
 */
import { CorruptIndexError } from '../errors.js';
import { IndexFile } from './index-file.js';

export const OFFSET_INDEX_ENTRY_SIZE = 8;

export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex extends IndexFile {
  private constructor(path: string, baseOffset: number, maxIndexBytes: number, preallocate: boolean) {
    super(path, baseOffset, maxIndexBytes, OFFSET_INDEX_ENTRY_SIZE, preallocate);
  }

  /** A new empty index (no file is written until the first flush). */
  static empty(path: string, baseOffset: number, maxIndexBytes: number, preallocate = true): OffsetIndex {
    return new OffsetIndex(path, baseOffset, maxIndexBytes, preallocate);
  }

  /**
   * Loads an index file. Throws CorruptIndexError when entries are not strictly increasing,
   * point past `logSizeInBytes`, or the file length is not a multiple of the entry size; returns
   * an empty index (`missing` true) when the file does not exist.
   */
  static async load(
    path: string,
    baseOffset: number,
    maxIndexBytes: number,
    logSizeInBytes: number,
    preallocate = true,
  ): Promise<{ index: OffsetIndex; missing: boolean }> {
    const index = new OffsetIndex(path, baseOffset, maxIndexBytes, preallocate);
    const bytes = await index.readFileBytes();
    if (bytes === null) return { index, missing: true };
    if (bytes.length % OFFSET_INDEX_ENTRY_SIZE !== 0) {
      throw new CorruptIndexError(`${path}: length ${bytes.length} is not a multiple of ${OFFSET_INDEX_ENTRY_SIZE}`);
    }
    const total = bytes.length / OFFSET_INDEX_ENTRY_SIZE;
    let n = 0;
    let prevRel = -1;
    let prevPos = -1;
    for (; n < total; n++) {
      const rel = bytes.readInt32BE(n * 8);
      const pos = bytes.readInt32BE(n * 8 + 4);
      if (rel === 0 && pos === 0) break; // preallocated tail
      if (rel <= prevRel || pos <= prevPos || rel < 0 || pos < 0 || pos >= logSizeInBytes) {
        throw new CorruptIndexError(`${path}: entry ${n} (${rel}, ${pos}) out of order or past the log end`);
      }
      prevRel = rel;
      prevPos = pos;
    }
    if (n > index.maxEntries) throw new CorruptIndexError(`${path}: ${n} entries exceed the index size`);
    index.adopt(bytes, n);
    return { index, missing: false };
  }

  get isFull(): boolean {
    return this._entries >= this.maxEntries;
  }

  relativeOffsetAt(i: number): number {
    return this.mem.readInt32BE(i * 8);
  }

  entry(i: number): OffsetPosition {
    return { offset: this.baseOffset + this.mem.readInt32BE(i * 8), position: this.mem.readInt32BE(i * 8 + 4) };
  }

  lastEntry(): OffsetPosition {
    return this._entries === 0 ? { offset: this.baseOffset, position: 0 } : this.entry(this._entries - 1);
  }

  /** Index of the greatest entry with offset <= target, or -1. */
  private floorSlot(target: number): number {
    const rel = target - this.baseOffset;
    let lo = 0;
    let hi = this._entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.mem.readInt32BE(mid * 8) <= rel) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Greatest entry with offset <= target, or (baseOffset, 0) when there is none. */
  lookup(target: number): OffsetPosition {
    const slot = this.floorSlot(target);
    return slot < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(slot);
  }

  /** Smallest entry with offset >= target, or null. */
  ceiling(target: number): OffsetPosition | null {
    const slot = this.floorSlot(target);
    if (slot >= 0 && this.entry(slot).offset === target) return this.entry(slot);
    return slot + 1 < this._entries ? this.entry(slot + 1) : null;
  }

  append(offset: number, position: number): void {
    if (this.isFull) throw new CorruptIndexError(`${this.path}: index is full`);
    const rel = offset - this.baseOffset;
    if (this._entries > 0) {
      const last = this.lastEntry();
      if (offset <= last.offset || position <= last.position) {
        throw new CorruptIndexError(`${this.path}: entry (${offset}, ${position}) not after (${last.offset}, ${last.position})`);
      }
    }
    const at = this.pushEntry();
    this.mem.writeInt32BE(rel, at);
    this.mem.writeInt32BE(position, at + 4);
  }

  /** Removes entries whose offset is >= `offset`. */
  truncateTo(offset: number): void {
    this.truncateToEntries(this.floorSlot(offset - 1) + 1);
  }

  /** Removes entries whose position is >= `position` (after a .log truncation). */
  truncateToPosition(position: number): void {
    let n = this._entries;
    while (n > 0 && this.mem.readInt32BE((n - 1) * 8 + 4) >= position) n--;
    this.truncateToEntries(n);
  }
}
