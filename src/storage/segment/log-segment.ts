/**
 * LogSegment: one `.log` file of a partition plus its `.index` and `.timeindex`.
 *
 * Owns: the file handle of the .log, the two sparse indexes, and the segment's running state
 * (size, max timestamp so far, bytes since the last index entry).
 *
 * On disk: the .log is a sequence of RecordBatch v2 exactly as on the wire (baseOffset already
 * assigned), named by the segment's base offset. Index entries are added every
 * `indexIntervalBytes` of appended data, keyed by the batch's last offset (as Kafka does).
 *
 * Invariants: batches are appended in strictly increasing offset order, all >= baseOffset, and
 * lastOffset - baseOffset fits in int32; `size` only counts bytes whose write completed, so a
 * concurrent read never sees a partial batch; indexes only point at completed batches.
 *
 * Concurrency: appends, truncation and index rebuilds are serialized by the owning Log (one at a
 * time). Reads may run concurrently with one append; they snapshot `size` first. `close()` and
 * `delete()` wait for in-flight reads, so removing a segment never breaks a fetch mid-way.
 */
import { readSync, writeSync, writevSync } from 'node:fs';
import { type FileHandle, open, rename, rm, stat } from 'node:fs/promises';
import { FramePool, releaseWhenWritten } from '../../common/frame-pool.js';
import { CorruptIndexError, CorruptRecordError } from '../errors.js';
import { type BatchInfo, scanFile } from './batch-scan.js';
import { logFilePath, offsetIndexPath, timeIndexPath } from './file-names.js';
import { OffsetIndex } from './offset-index.js';
import { NO_TIMESTAMP, TimeIndex } from './time-index.js';
import { type RecentBatch, RecentBatches } from './recent-batches.js';

export interface SegmentOptions {
  indexIntervalBytes: number;
  maxIndexBytes: number;
  preallocateIndexes: boolean;
}

export interface AppendedBatch {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  size: number;
}

export interface SegmentRead {
  /** Whole batches, starting with the one that contains the requested offset. */
  records: Buffer;
  firstBatch: RecentBatch;
  /** Last offset of the last batch returned. */
  lastOffset: number;
}

export interface RecoveryResult {
  truncatedBytes: number;
  nextOffset: number;
  problem: string | null;
}

const INT32_MAX = 2147483647;

/** What is left of `bufs` after `written` bytes: fully written buffers dropped, a partially written one sliced (writev may stop early). */
function unwritten(bufs: Buffer[], written: number): Buffer[] {
  let n = written;
  const rest: Buffer[] = [];
  for (const b of bufs) {
    if (n >= b.length) n -= b.length;
    else {
      rest.push(n > 0 ? b.subarray(n) : b);
      n = 0;
    }
  }
  return rest;
}

export async function writeFully(fh: FileHandle, bufs: Buffer[], position: number): Promise<void> {
  let pending = bufs;
  let pos = position;
  while (pending.length > 0) {
    const { bytesWritten } =
      pending.length === 1 ? await fh.write(pending[0]!, 0, pending[0]!.length, pos) : await fh.writev(pending, pos);
    pos += bytesWritten;
    pending = unwritten(pending, bytesWritten);
  }
}

/**
 * Appends up to this size are written synchronously on the event loop. Why: FileHandle.write hands
 * each write to libuv's thread pool and back — two thread wake-ups that on this 2-core machine,
 * shared with the clients, cost far more than the copy into the page cache itself (3-14 ms per
 * 2 KiB write under load; 64-record Produce requests: 2.4-2.9 instead of 5.4-7.0 ms of broker CPU
 * per MB). A 1 MiB page-cache write holds the loop for about 0.3-0.5 ms. Larger writes (group
 * commits of several requests) stay asynchronous. The cost: if the kernel throttles dirty pages,
 * the whole event loop waits, not only this partition — as Kafka's request threads would.
 */
export const SYNC_WRITE_MAX_BYTES = 1024 * 1024;
/**
 * Buffers for large reads (fetches of 128 KiB and more), reused once a connection has written them
 * (see common/frame-pool.ts for why and for the contract).
 */
const readBuffers = new FramePool(64 * 1024 * 1024);

/** Reads of bytes appended moments ago (RecentBatches hits, in the page cache) up to this size are synchronous too. */
export const SYNC_READ_MAX_BYTES = 1024 * 1024;

/** writeFully without the thread pool, for small writes (see SYNC_WRITE_MAX_BYTES). */
export function writeFullySync(fd: number, bufs: Buffer[], position: number): void {
  let pending = bufs;
  let pos = position;
  while (pending.length > 0) {
    const bytesWritten =
      pending.length === 1 ? writeSync(fd, pending[0]!, 0, pending[0]!.length, pos) : writevSync(fd, pending, pos);
    pos += bytesWritten;
    pending = unwritten(pending, bytesWritten);
  }
}

export class LogSegment {
  private _size: number;
  private bytesSinceLastIndexEntry = 0;
  private _maxTimestamp = NO_TIMESTAMP;
  private _offsetOfMaxTimestamp: number;
  /** maxTimestamp of the first batch; segment.ms rolls measure from it (Kafka's rollingBasedTimestamp). */
  rollingBasedTimestamp: number | undefined;
  /** File positions of the last batches appended (tail fetches skip the index and the scan). */
  private readonly recent = new RecentBatches();
  private inflight = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private fh: FileHandle,
    size: number,
    public offsetIndex: OffsetIndex,
    public timeIndex: TimeIndex,
    private readonly opts: SegmentOptions,
    public suffix: string,
    /** Wall-clock ms used for retention when no batch carries a timestamp. */
    public lastModifiedMs: number,
    readonly createdMs: number,
  ) {
    this._size = size;
    this._offsetOfMaxTimestamp = baseOffset;
  }

  /** Creates an empty segment, replacing any file with the same name. */
  static async create(
    dir: string,
    baseOffset: number,
    opts: SegmentOptions,
    nowMs: number,
    suffix = '',
  ): Promise<LogSegment> {
    const fh = await open(logFilePath(dir, baseOffset, suffix), 'w+');
    await rm(offsetIndexPath(dir, baseOffset, suffix), { force: true });
    await rm(timeIndexPath(dir, baseOffset, suffix), { force: true });
    return new LogSegment(
      dir,
      baseOffset,
      fh,
      0,
      OffsetIndex.empty(
        offsetIndexPath(dir, baseOffset, suffix),
        baseOffset,
        opts.maxIndexBytes,
        opts.preallocateIndexes,
      ),
      TimeIndex.empty(timeIndexPath(dir, baseOffset, suffix), baseOffset, opts.maxIndexBytes, opts.preallocateIndexes),
      opts,
      suffix,
      nowMs,
      nowMs,
    );
  }

  /**
   * Opens an existing segment and loads its indexes. `indexesOk` is false when an index was
   * missing or failed its sanity check; the caller must then `recover()` (or `rebuildIndexes()`).
   */
  static async open(
    dir: string,
    baseOffset: number,
    opts: SegmentOptions,
    suffix = '',
  ): Promise<{ segment: LogSegment; indexesOk: boolean }> {
    const path = logFilePath(dir, baseOffset, suffix);
    const fh = await open(path, 'r+');
    const st = await fh.stat();
    const oPath = offsetIndexPath(dir, baseOffset, suffix);
    const tPath = timeIndexPath(dir, baseOffset, suffix);
    let indexesOk = true;
    let offsetIndex: OffsetIndex;
    let timeIndex: TimeIndex;
    try {
      const o = await OffsetIndex.load(oPath, baseOffset, opts.maxIndexBytes, st.size, opts.preallocateIndexes);
      offsetIndex = o.index;
      // An empty .log legitimately has no index files.
      if (o.missing && st.size > 0) indexesOk = false;
      const lastIndexed = o.index.lastEntry().offset;
      // Time index offsets may not exceed what the .log can hold; offsets past the last offset
      // index entry are checked loosely (the segment end is unknown until scanned).
      const t = await TimeIndex.load(
        tPath,
        baseOffset,
        opts.maxIndexBytes,
        Math.max(lastIndexed, baseOffset + INT32_MAX),
        opts.preallocateIndexes,
      );
      timeIndex = t.index;
      if (t.missing && st.size > 0) indexesOk = false;
    } catch (err) {
      if (!(err instanceof CorruptIndexError)) throw err;
      indexesOk = false;
      offsetIndex = OffsetIndex.empty(oPath, baseOffset, opts.maxIndexBytes, opts.preallocateIndexes);
      timeIndex = TimeIndex.empty(tPath, baseOffset, opts.maxIndexBytes, opts.preallocateIndexes);
    }
    const seg = new LogSegment(
      dir,
      baseOffset,
      fh,
      st.size,
      offsetIndex,
      timeIndex,
      opts,
      suffix,
      st.mtimeMs,
      st.mtimeMs,
    );
    const last = timeIndex.lastEntry();
    seg._maxTimestamp = last.timestamp;
    seg._offsetOfMaxTimestamp = last.offset;
    return { segment: seg, indexesOk };
  }

  get size(): number {
    return this._size;
  }

  get maxTimestamp(): number {
    return this._maxTimestamp;
  }

  get offsetOfMaxTimestamp(): number {
    return this._offsetOfMaxTimestamp;
  }

  /** The timestamp retention compares against: the max record timestamp, else the file's mtime. */
  get largestTimestamp(): number {
    return this._maxTimestamp >= 0 ? this._maxTimestamp : this.lastModifiedMs;
  }

  get logPath(): string {
    return logFilePath(this.dir, this.baseOffset, this.suffix);
  }

  /** Whether `batchCount` more batches fit in the indexes (each batch adds at most one entry). */
  indexesHaveRoomFor(batchCount: number): boolean {
    return (
      this.offsetIndex.entries + batchCount <= this.offsetIndex.maxEntries &&
      this.timeIndex.entries + batchCount < this.timeIndex.maxEntries
    );
  }

  /** Whether offsets up to `lastOffset` can be expressed relative to this segment's base. */
  canHoldOffset(lastOffset: number): boolean {
    return lastOffset - this.baseOffset <= INT32_MAX && lastOffset >= this.baseOffset;
  }

  /**
   * Writes `bufs` (whole batches, offsets assigned) at the end of the file, then updates the
   * indexes. `batches` describes them in order.
   */
  async append(bufs: Buffer[], batches: AppendedBatch[], nowMs: number): Promise<void> {
    let bytes = 0;
    for (const b of bufs) bytes += b.length;
    if (bytes <= SYNC_WRITE_MAX_BYTES) writeFullySync(this.fh.fd, bufs, this._size);
    else await writeFully(this.fh, bufs, this._size);
    this.track(batches, this._size);
    this.lastModifiedMs = nowMs;
  }

  /** Index/timestamp bookkeeping for batches that now sit at `position` onwards. */
  private track(batches: Iterable<AppendedBatch>, position: number): void {
    let pos = position;
    for (const b of batches) {
      if (this.rollingBasedTimestamp === undefined) this.rollingBasedTimestamp = b.maxTimestamp;
      if (b.maxTimestamp > this._maxTimestamp) {
        this._maxTimestamp = b.maxTimestamp;
        this._offsetOfMaxTimestamp = b.lastOffset;
      }
      this.recent.add({ baseOffset: b.baseOffset, lastOffset: b.lastOffset, position: pos, size: b.size });
      if (this.bytesSinceLastIndexEntry > this.opts.indexIntervalBytes) {
        this.offsetIndex.append(b.lastOffset, pos);
        this.timeIndex.maybeAppend(this._maxTimestamp, this._offsetOfMaxTimestamp);
        this.bytesSinceLastIndexEntry = 0;
      }
      this.bytesSinceLastIndexEntry += b.size;
      pos += b.size;
    }
    this._size = pos;
  }

  private enter(): void {
    this.inflight++;
  }

  private leave(): void {
    if (--this.inflight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * Finds the batch containing `offset` (the first batch whose lastOffset >= offset) at or after
   * `startingPosition`. Throws CorruptIndexError when the index entry used does not match the
   * batch it points at.
   */
  async translateOffset(offset: number, startingPosition = 0): Promise<BatchInfo | null> {
    const size = this._size;
    const entry = this.offsetIndex.lookup(offset);
    const fromIndex = this.offsetIndex.entries > 0 && entry.position > 0;
    const from = Math.max(entry.position, startingPosition);
    let first = true;
    for await (const b of scanFile(this.fh, from, size, { verifyCrc: false, chunkBytes: 16 * 1024 })) {
      if ('reason' in b) {
        if (first && fromIndex)
          throw new CorruptIndexError(`${this.offsetIndex.path}: entry points at an invalid batch (${b.reason})`);
        throw new CorruptRecordError(`${this.logPath}: invalid batch at position ${b.position}: ${b.reason}`);
      }
      if (first && fromIndex && from === entry.position && b.lastOffset !== entry.offset) {
        throw new CorruptIndexError(
          `${this.offsetIndex.path}: entry (${entry.offset}, ${entry.position}) points at batch ending at ${b.lastOffset}`,
        );
      }
      first = false;
      if (b.lastOffset >= offset) return b;
    }
    return null;
  }

  /**
   * Reads whole batches starting with the batch containing `startOffset`, up to `maxBytes`, never
   * including a batch whose lastOffset >= `maxOffset` (exclusive bound, e.g. the high watermark).
   * With `minOneMessage`, the first batch is returned even when it alone exceeds maxBytes.
   */
  async read(
    startOffset: number,
    maxBytes: number,
    maxOffset = Number.POSITIVE_INFINITY,
    minOneMessage = true,
  ): Promise<SegmentRead | null> {
    this.enter();
    try {
      if (this.closed) return null;
      const size = this._size;
      const recent = this.recent.find(startOffset);
      const first = recent !== undefined ? recent : await this.translateOffset(startOffset);
      if (first === null || first.lastOffset >= maxOffset) return null;
      let want = Math.min(maxBytes, size - first.position);
      if (want < first.size) {
        if (!minOneMessage) return null;
        want = first.size;
      }
      const buf = readBuffers.acquire(want);
      let got = 0;
      // Bytes appended moments ago are in the page cache: reading them costs less than the
      // thread-pool round trip (see SYNC_WRITE_MAX_BYTES).
      const sync = recent !== undefined && want <= SYNC_READ_MAX_BYTES;
      while (got < want) {
        const bytesRead = sync
          ? readSync(this.fh.fd, buf, got, want - got, first.position + got)
          : (await this.fh.read(buf, got, want - got, first.position + got)).bytesRead;
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      // Keep whole batches below maxOffset only.
      let end = 0;
      let lastOffset = first.lastOffset;
      while (end + 12 <= got) {
        const batchSize = 12 + buf.readInt32BE(end + 8);
        if (end + batchSize > got || batchSize < 61) break;
        const last = Number(buf.readBigInt64BE(end)) + buf.readInt32BE(end + 23);
        if (last >= maxOffset) break;
        lastOffset = last;
        end += batchSize;
      }
      if (end === 0) return null;
      // Nothing here keeps the bytes: a connection that writes them returns the buffer to the pool.
      releaseWhenWritten(buf);
      return { records: buf.subarray(0, end), firstBatch: first, lastOffset };
    } finally {
      this.leave();
    }
  }

  /** First batch at or after `startingOffset` whose maxTimestamp >= `timestamp`, or null. */
  async findBatchByTimestamp(timestamp: number, startingOffset: number): Promise<BatchInfo | null> {
    this.enter();
    try {
      if (this.closed) return null;
      const t = this.timeIndex.lookup(timestamp);
      const from = this.offsetIndex.lookup(Math.max(t.offset, startingOffset)).position;
      for await (const b of scanFile(this.fh, from, this._size, { verifyCrc: false, chunkBytes: 16 * 1024 })) {
        if ('reason' in b) throw new CorruptRecordError(`${this.logPath}: invalid batch at ${b.position}: ${b.reason}`);
        if (b.lastOffset >= startingOffset && b.maxTimestamp >= timestamp) return b;
      }
      return null;
    } finally {
      this.leave();
    }
  }

  /** Reads `length` bytes at `position` (dump-log, cleaner, record-level lookups). */
  async readBytes(position: number, length: number): Promise<Buffer> {
    this.enter();
    try {
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await this.fh.read(buf, got, length - got, position + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    } finally {
      this.leave();
    }
  }

  /** Iterates the segment's batches with their bytes (no CRC check: data was validated on append/recovery). */
  async *batches(fromPosition = 0): AsyncGenerator<BatchInfo & { bytes: Buffer }> {
    this.enter();
    try {
      for await (const b of scanFile(this.fh, fromPosition, this._size, { verifyCrc: false, withBytes: true })) {
        if ('reason' in b) throw new CorruptRecordError(`${this.logPath}: invalid batch at ${b.position}: ${b.reason}`);
        yield b as BatchInfo & { bytes: Buffer };
      }
    } finally {
      this.leave();
    }
  }

  /** Iterates batch headers only (no bytes, no CRC): producer-state rebuilds scan the tail this way. */
  async *headers(fromPosition = 0): AsyncGenerator<BatchInfo> {
    this.enter();
    try {
      for await (const b of scanFile(this.fh, fromPosition, this._size, { verifyCrc: false, chunkBytes: 64 * 1024 })) {
        if ('reason' in b) throw new CorruptRecordError(`${this.logPath}: invalid batch at ${b.position}: ${b.reason}`);
        yield b;
      }
    } finally {
      this.leave();
    }
  }

  /** Offset after the last batch (scans from the last index entry; the segment must be valid). */
  async readNextOffset(): Promise<number> {
    let next = this.baseOffset;
    const from = this.offsetIndex.lastEntry();
    if (this.offsetIndex.entries > 0) next = from.offset + 1;
    for await (const b of scanFile(this.fh, from.position, this._size, { verifyCrc: false, chunkBytes: 64 * 1024 })) {
      if ('reason' in b) throw new CorruptRecordError(`${this.logPath}: invalid batch at ${b.position}: ${b.reason}`);
      next = b.lastOffset + 1;
    }
    return next;
  }

  /**
   * Validates every batch (framing, CRC, increasing offsets within this segment), rebuilds both
   * indexes, and truncates the file at the first invalid byte. `onBatch` sees each valid batch
   * (the Log rebuilds its leader-epoch cache from them).
   */
  async recover(onBatch?: (b: BatchInfo) => void): Promise<RecoveryResult> {
    const fileSize = (await this.fh.stat()).size;
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this._maxTimestamp = NO_TIMESTAMP;
    this._offsetOfMaxTimestamp = this.baseOffset;
    this.bytesSinceLastIndexEntry = 0;
    this.rollingBasedTimestamp = undefined;
    this.recent.clear();
    this._size = 0;
    let valid = 0;
    let lastOffset = this.baseOffset - 1;
    let problem: string | null = null;
    for await (const b of scanFile(this.fh, 0, fileSize, { verifyCrc: true, chunkBytes: 4 << 20 })) {
      if ('reason' in b) {
        problem = `position ${b.position}: ${b.reason}`;
        break;
      }
      if (b.baseOffset <= lastOffset || b.lastOffset - this.baseOffset > INT32_MAX) {
        problem = `position ${b.position}: offset ${b.baseOffset} does not follow ${lastOffset}`;
        break;
      }
      if (this.offsetIndex.entries >= this.offsetIndex.maxEntries || this.timeIndex.isFull) {
        problem = `position ${b.position}: index full`;
        break;
      }
      this.track([b], b.position);
      onBatch?.(b);
      valid = b.position + b.size;
      lastOffset = b.lastOffset;
    }
    if (valid < fileSize) await this.fh.truncate(valid);
    this._size = valid;
    return { truncatedBytes: fileSize - valid, nextOffset: lastOffset + 1, problem };
  }

  /**
   * Removes the batch containing `offset` and everything after it. Returns bytes removed.
   */
  async truncateTo(offset: number): Promise<number> {
    const at = await this.translateOffset(offset);
    if (at === null) return 0;
    const removed = this._size - at.position;
    this.recent.clear();
    this.offsetIndex.truncateToPosition(at.position);
    this.timeIndex.truncateTo(at.baseOffset);
    await this.fh.truncate(at.position);
    this._size = at.position;
    // Recompute the max timestamp: the time index holds it up to its last entry; batches after
    // the last offset index entry are rescanned.
    const last = this.timeIndex.lastEntry();
    this._maxTimestamp = last.timestamp;
    this._offsetOfMaxTimestamp = last.offset;
    const from = this.offsetIndex.lastEntry().position;
    this.bytesSinceLastIndexEntry = 0;
    for await (const b of scanFile(this.fh, from, this._size, { verifyCrc: false, chunkBytes: 64 * 1024 })) {
      if ('reason' in b) break;
      if (b.maxTimestamp > this._maxTimestamp) {
        this._maxTimestamp = b.maxTimestamp;
        this._offsetOfMaxTimestamp = b.lastOffset;
      }
      this.bytesSinceLastIndexEntry += b.size;
    }
    if (this._size === 0) this.rollingBasedTimestamp = undefined;
    return removed;
  }

  /** fsyncs the .log (data and the size needed to read it back). */
  async flush(): Promise<void> {
    await this.fh.datasync();
  }

  /** Writes the indexes (trimmed when `trim`) and optionally fsyncs them. */
  async flushIndexes(opts: { sync?: boolean; trim?: boolean } = {}): Promise<void> {
    await this.offsetIndex.flush(opts);
    await this.timeIndex.flush(opts);
  }

  /** Called when a newer segment takes over appends: final time index entry, fsync, trim indexes. */
  async onBecomeInactive(): Promise<void> {
    this.timeIndex.maybeAppend(this._maxTimestamp, this._offsetOfMaxTimestamp, true);
    await this.flush();
    await this.flushIndexes({ sync: true, trim: true });
  }

  private async idle(): Promise<void> {
    if (this.inflight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Closes the file after in-flight reads finish; indexes are written trimmed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.idle();
    if (this._maxTimestamp >= 0) this.timeIndex.maybeAppend(this._maxTimestamp, this._offsetOfMaxTimestamp, true);
    await this.flushIndexes({ trim: true });
    await this.fh.close();
  }

  /** Closes without touching the indexes (after a crash-like abandon, or before deletion). */
  async closeHandlers(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.idle();
    await this.fh.close();
  }

  /** Closes and removes all three files. */
  async delete(): Promise<void> {
    await this.closeHandlers();
    await Promise.all([rm(this.logPath, { force: true }), this.offsetIndex.deleteFile(), this.timeIndex.deleteFile()]);
  }

  /** Renames the three files from the current suffix to `suffix` (e.g. '' -> '.deleted', '.swap' -> ''). */
  async changeFileSuffix(suffix: string): Promise<void> {
    const from = this.logPath;
    this.suffix = suffix;
    await rename(from, this.logPath);
    await this.offsetIndex.renameTo(offsetIndexPath(this.dir, this.baseOffset, suffix));
    await this.timeIndex.renameTo(timeIndexPath(this.dir, this.baseOffset, suffix));
  }

  /** Re-reads the file size (tests and tools that modify files underneath). */
  async statSize(): Promise<number> {
    return (await stat(this.logPath)).size;
  }
}
