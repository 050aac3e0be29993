/**
 * Log: one partition's durable log — an ordered list of LogSegments in `<logDir>/<topic>-<partition>/`,
 * plus its leader-epoch cache and offsets (logStartOffset, logEndOffset, highWatermark,
 * recoveryPoint).
 *
 * Append path (decision 3 of the design): batches arrive validated; the log assigns offsets by
 * patching baseOffset (not under the CRC), stamps partitionLeaderEpoch (not under the CRC) and,
 * for LogAppendTime topics, maxTimestamp + the timestamp-type bit (both under the CRC, so the CRC
 * is recomputed). No per-record work.
 *
 * Concurrency contract:
 * - Appends and structural operations (roll, truncate) go through one FIFO queue per log. When a
 *   write is in flight, appends queue up; the next round writes them all with one writev (and, with
 *   flush.messages=1, one fsync): group commit. Promises resolve in offset order.
 * - Reads run concurrently with appends: `segments` is replaced, never mutated (copy-on-write), and
 *   a segment only exposes bytes whose write completed.
 * - Retention and compaction take `maintenance` (an async mutex) and only touch inactive
 *   segments; truncation takes both the queue and `maintenance`.
 * - Producer state (idempotent producers) is checked and updated in the append round, in offset
 *   order; it is rebuilt from a snapshot plus the log tail on open and after truncation, and
 *   snapshotted on close.
 * - An I/O error during append fails the log (every later call rejects with ERR_STORAGE_IO), as
 *   Kafka takes a failed log dir offline: the file may hold a partial write only recovery can fix.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, systemClock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { type LogConfig, makeLogConfig } from '../config.js';
import { LeaderEpochCache } from '../epoch/leader-epoch-cache.js';
import {
  CorruptRecordError,
  InvalidOffsetError,
  LogClosedError,
  OffsetOutOfRangeError,
  RecordTooLargeError,
  StorageError,
} from '../errors.js';
import { type BatchInfo, scanBuffer } from '../segment/batch-scan.js';
import { LEADER_EPOCH_CHECKPOINT_FILE, type TopicPartition } from '../segment/file-names.js';
import { LogSegment, type SegmentOptions } from '../segment/log-segment.js';
import { loadProducerState } from '../producer-state/producer-state-loader.js';
import { ProducerStateManager } from '../producer-state/producer-state-manager.js';
import { deleteSnapshotsOutside, writeSnapshot } from '../producer-state/snapshot-file.js';
import { AsyncMutex } from './async-mutex.js';
import { type AcceptedAppend, type AppendItem, assignOffsets } from './assign-offsets.js';
import { loadLog } from './log-loader.js';
import { readLog } from './log-read.js';
import { deleteSegmentsBelowLogStart } from './log-retention.js';
import { offsetForTimestamp } from './offset-for-timestamp.js';
import type { AppendOptions, FetchDataInfo, LogAppendInfo, PartitionLog, ReadOptions, TimestampAndOffset } from './types.js';

/** Group commits of batches averaging under this size are copied into one buffer before the write. */
const SMALL_BATCH_BYTES = 8 * 1024;

export interface LogOpenOptions {
  dir: string;
  topicPartition: TopicPartition;
  config?: Partial<LogConfig>;
  clock?: Clock;
  /** From recovery-point-offset-checkpoint; segments from the one containing it are recovered after an unclean shutdown. */
  recoveryPoint?: number;
  logStartOffset?: number;
  highWatermark?: number;
  hadCleanShutdown?: boolean;
  logger?: Pick<Logger, 'warn' | 'info'>;
}


interface OpItem {
  kind: 'op';
  fn: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (err: unknown) => void;
}

export class Log implements PartitionLog {
  /** Copy-on-write: replaced as a whole, so a reader's snapshot stays consistent. */
  segments: LogSegment[];
  config: LogConfig;
  readonly leaderEpochCache: LeaderEpochCache;
  readonly maintenance = new AsyncMutex();
  readonly producerState: ProducerStateManager;
  private nextOffset: number;
  private _logStartOffset: number;
  private _highWatermark: number;
  private _recoveryPoint: number;
  private lastFlushMs: number;
  private queue: Array<AppendItem | OpItem> = [];
  private draining = false;
  private closed = false;
  private failure: StorageError | null = null;
  /** Background work after a roll (old segment's fsync + index trim), chained in roll order. */
  private inactiveChain: Promise<void> = Promise.resolve();
  private listeners = new Set<(info: LogAppendInfo) => void>();
  /** Hook for LogManager: logStartOffset moved (checkpoint it). */
  onLogStartOffsetChange: ((offset: number) => void) | undefined;

  private constructor(
    readonly dir: string,
    readonly topicPartition: TopicPartition,
    config: LogConfig,
    readonly clock: Clock,
    private readonly logger: Pick<Logger, 'warn' | 'info'> | undefined,
    loaded: { segments: LogSegment[]; nextOffset: number; recoveryPoint: number },
    logStartOffset: number,
    highWatermark: number,
    epochCache: LeaderEpochCache,
  ) {
    this.config = config;
    this.segments = loaded.segments;
    this.nextOffset = loaded.nextOffset;
    this._recoveryPoint = loaded.recoveryPoint;
    this._logStartOffset = logStartOffset;
    this._highWatermark = highWatermark;
    this.leaderEpochCache = epochCache;
    this.lastFlushMs = clock.now();
    this.producerState = new ProducerStateManager(`${topicPartition.topic}-${topicPartition.partition}`);
  }

  /** Opens (creating if needed) the log in `dir`, recovering it as LogLoader describes. */
  static async open(o: LogOpenOptions): Promise<Log> {
    const config = makeLogConfig(o.config);
    const clock = o.clock ?? systemClock;
    const epochCache = await LeaderEpochCache.load(join(o.dir, LEADER_EPOCH_CHECKPOINT_FILE));
    const recoveredEpochs: Array<{ epoch: number; offset: number }> = [];
    const loaded = await loadLog({
      dir: o.dir,
      segmentOptions: segmentOptionsOf(config),
      hadCleanShutdown: o.hadCleanShutdown ?? false,
      recoveryPoint: o.recoveryPoint ?? 0,
      logStartOffset: o.logStartOffset ?? 0,
      nowMs: clock.now(),
      onRecoveredBatch: (b) => {
        if (b.partitionLeaderEpoch >= 0) recoveredEpochs.push({ epoch: b.partitionLeaderEpoch, offset: b.baseOffset });
      },
      logger: o.logger,
    });
    for (const e of recoveredEpochs) await epochCache.assign(e.epoch, e.offset);
    await epochCache.truncateFromEnd(loaded.nextOffset);
    const logStartOffset = Math.min(Math.max(o.logStartOffset ?? 0, loaded.segments[0]!.baseOffset), loaded.nextOffset);
    await epochCache.truncateFromStart(logStartOffset);
    const hw = Math.min(Math.max(o.highWatermark ?? 0, logStartOffset), loaded.nextOffset);
    const log = new Log(o.dir, o.topicPartition, config, clock, o.logger, loaded, logStartOffset, hw, epochCache);
    await loadProducerState(log, log.producerState);
    return log;
  }

  get logStartOffset(): number {
    return this._logStartOffset;
  }
  get logEndOffset(): number {
    return this.nextOffset;
  }
  get highWatermark(): number {
    return this._highWatermark;
  }
  get recoveryPoint(): number {
    return this._recoveryPoint;
  }
  get activeSegment(): LogSegment {
    return this.segments.at(-1)!;
  }
  /** Bytes in all segments. */
  get size(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  private segmentOptions(): SegmentOptions {
    return segmentOptionsOf(this.config);
  }

  private checkUsable(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new LogClosedError(`log ${this.dir}`);
  }

  onAppend(listener: (info: LogAppendInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sets the high watermark (clamped to [logStartOffset, logEndOffset]); returns the value set. */
  updateHighWatermark(offset: number): number {
    this._highWatermark = Math.min(Math.max(offset, this._logStartOffset), this.nextOffset);
    return this._highWatermark;
  }

  // ---------------------------------------------------------------- append

  /**
   * Appends one or more batches (validated by the caller: CRC, client rules). Resolves once the
   * data is written (and fsynced when flush.messages is reached), in offset order.
   */
  append(records: Buffer, options: AppendOptions = {}): Promise<LogAppendInfo> {
    try {
      this.checkUsable();
    } catch (err) {
      return Promise.reject(err);
    }
    const { batches, problem } = scanBuffer(records, false);
    if (problem !== null || batches.length === 0) {
      return Promise.reject(new CorruptRecordError(`invalid batch at ${problem?.position ?? 0}: ${problem?.reason ?? 'no batches'}`));
    }
    for (const b of batches) {
      if (b.size > this.config.segmentBytes) {
        return Promise.reject(new RecordTooLargeError(`batch of ${b.size} bytes exceeds segment.bytes ${this.config.segmentBytes}`));
      }
    }
    return new Promise<LogAppendInfo>((resolve, reject) => {
      this.queue.push({ kind: 'append', records, batches, options, resolve, reject });
      this.kick();
    });
  }

  /** Runs `fn` in order with appends (nothing else appends or rolls meanwhile). */
  private enqueueOp<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ kind: 'op', fn, resolve: resolve as (v: unknown) => void, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        if (head.kind === 'op') {
          this.queue.shift();
          try {
            head.resolve(await head.fn());
          } catch (err) {
            head.reject(err);
          }
          continue;
        }
        const group: AppendItem[] = [];
        while (this.queue.length > 0 && this.queue[0]!.kind === 'append') group.push(this.queue.shift() as AppendItem);
        await this.appendGroup(group);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Assigns offsets to a group of queued appends and writes them, rolling segments as needed. */
  private async appendGroup(group: AppendItem[]): Promise<void> {
    if (this.failure || this.closed) {
      const err = this.failure ?? new LogClosedError(`log ${this.dir}`);
      for (const item of group) item.reject(err);
      return;
    }
    const now = this.clock.now();
    const logAppendTime = this.config.messageTimestampType === 'LogAppendTime';
    const accepted = assignOffsets(group, this.nextOffset, this._logStartOffset, now, logAppendTime, this.producerState);
    if (accepted.length === 0) return;

    try {
      await this.writeBatches(accepted, now);
      for (const { item, info, duplicate } of accepted) {
        if (duplicate) continue;
        if (item.options.assignOffsets !== false) {
          if (item.options.leaderEpoch !== undefined) await this.leaderEpochCache.assign(item.options.leaderEpoch, info.firstOffset);
        } else {
          for (const b of item.batches) if (b.partitionLeaderEpoch >= 0) await this.leaderEpochCache.assign(b.partitionLeaderEpoch, b.baseOffset);
        }
      }
      if (this.nextOffset - this._recoveryPoint >= this.config.flushMessages) await this.flushTo(this.nextOffset);
    } catch (err) {
      this.failure = new StorageError('ERR_STORAGE_IO', `append to ${this.dir} failed: ${(err as Error).message}`, { cause: err });
      this.logger?.warn({ err, dir: this.dir }, 'log failed on append');
      for (const { item } of accepted) item.reject(this.failure);
      return;
    }
    for (const { item, info, duplicate } of accepted) {
      info.logStartOffset = this._logStartOffset;
      item.resolve(info);
      if (!duplicate) for (const l of this.listeners) l(info);
    }
  }

  private async writeBatches(accepted: AcceptedAppend[], now: number): Promise<void> {
    let active = this.activeSegment;
    let bufs: Buffer[] = [];
    let infos: BatchInfo[] = [];
    let runBytes = 0;
    const writeRun = async (): Promise<void> => {
      if (infos.length === 0) return;
      // Small batches are copied into one buffer: one syscall with one iovec beats many tiny ones.
      // Large ones go to writev as they are: copying them first costs more than the iovecs save.
      const out =
        bufs.length > 1 && runBytes <= 256 * 1024 && runBytes < bufs.length * SMALL_BATCH_BYTES
          ? [Buffer.concat(bufs, runBytes)]
          : bufs;
      await active.append(out, infos, now);
      this.nextOffset = infos.at(-1)!.lastOffset + 1;
      bufs = [];
      infos = [];
      runBytes = 0;
    };
    for (const { item, duplicate } of accepted) {
      if (duplicate) continue;
      for (const b of item.batches) {
        if (this.shouldRoll(active, runBytes, infos, b, now)) {
          await writeRun();
          active = await this.rollTo(b.baseOffset, now);
        }
        bufs.push(item.records.subarray(b.position, b.position + b.size));
        infos.push(b);
        runBytes += b.size;
      }
    }
    await writeRun();
  }

  private shouldRoll(seg: LogSegment, runBytes: number, run: BatchInfo[], b: BatchInfo, now: number): boolean {
    if (!seg.canHoldOffset(b.lastOffset)) return true;
    const size = seg.size + runBytes;
    if (size === 0) return false;
    if (size + b.size > this.config.segmentBytes) return true;
    if (!seg.indexesHaveRoomFor(run.length + 1)) return true;
    const first = seg.rollingBasedTimestamp ?? run[0]?.maxTimestamp;
    const waited = first !== undefined && first >= 0 ? b.maxTimestamp - first : now - seg.createdMs;
    return waited > this.config.segmentMs - this.config.segmentJitterMs;
  }

  /**
   * Starts a new active segment at `baseOffset`. The old one's fsync and index trim run in the
   * background; the recovery point advances past it when they finish (Kafka's flush-on-roll).
   */
  private async rollTo(baseOffset: number, now: number): Promise<LogSegment> {
    const old = this.activeSegment;
    if (old.size === 0) {
      // An empty active segment whose base cannot hold the next offsets is replaced.
      this.segments = this.segments.slice(0, -1);
      await old.delete();
    }
    const seg = await LogSegment.create(this.dir, baseOffset, this.segmentOptions(), now);
    this.segments = [...this.segments, seg];
    if (old.size > 0) {
      this.inactiveChain = this.inactiveChain
        .then(() => old.onBecomeInactive())
        .then(() => {
          if (this._recoveryPoint < baseOffset && this.segments.includes(seg)) this._recoveryPoint = baseOffset;
        })
        .catch((err: unknown) => this.logger?.warn({ err, segment: old.logPath }, 'flush after roll failed'));
    }
    return seg;
  }

  /** Rolls the active segment now if it is non-empty (tests, compaction of the last data). */
  roll(): Promise<void> {
    return this.enqueueOp(async () => {
      this.checkUsable();
      if (this.activeSegment.size > 0) await this.rollTo(this.nextOffset, this.clock.now());
    }) as Promise<void>;
  }

  // ---------------------------------------------------------------- flush

  /** fsyncs every segment holding offsets in [recoveryPoint, upTo) and advances the recovery point. */
  private async flushTo(upTo: number): Promise<void> {
    if (upTo <= this._recoveryPoint) return;
    const segs = this.segments;
    let from = 0;
    for (let i = 0; i < segs.length; i++) if (segs[i]!.baseOffset <= this._recoveryPoint) from = i;
    for (const s of segs.slice(from)) {
      if (s.baseOffset >= upTo) break;
      try {
        await s.flush();
      } catch (err) {
        // A segment deleted by retention meanwhile has nothing left to flush.
        if (this.segments.includes(s)) throw err;
      }
    }
    this._recoveryPoint = Math.max(this._recoveryPoint, upTo);
    this.lastFlushMs = this.clock.now();
  }

  /** Flushes everything appended so far. */
  async flush(): Promise<void> {
    this.checkUsable();
    await this.flushTo(this.nextOffset);
  }

  /** flush.ms: flushes if the last flush is older than the policy allows (LogManager calls it). */
  async maybeFlushByTime(): Promise<void> {
    if (this.closed || this.failure || !Number.isFinite(this.config.flushMs)) return;
    if (this.clock.now() - this.lastFlushMs >= this.config.flushMs && this.nextOffset > this._recoveryPoint) await this.flush();
  }

  // ---------------------------------------------------------------- read

  /** Reads whole batches starting with the batch containing `startOffset` (see ReadOptions and log-read.ts). */
  async read(startOffset: number, options: ReadOptions): Promise<FetchDataInfo> {
    this.checkUsable();
    return readLog(this, startOffset, options, this.logger);
  }

  /** Rebuilds a segment's indexes from its .log, in order with appends. */
  async rebuildIndexes(seg: LogSegment): Promise<void> {
    await this.enqueueOp(async () => {
      if (!this.segments.includes(seg)) return;
      await seg.recover();
      await seg.flushIndexes({ trim: seg !== this.activeSegment });
    });
  }

  /** ListOffsets: earliest (-2), latest (-1), max timestamp (-3), or the first offset with timestamp >= t. */
  async fetchOffsetByTimestamp(timestamp: number): Promise<TimestampAndOffset | null> {
    this.checkUsable();
    return offsetForTimestamp(this, timestamp);
  }

  // ---------------------------------------------------------------- truncation, deletion of records

  /**
   * Follower truncation: removes every batch from the one containing `targetOffset` on. Returns
   * false when there was nothing to remove.
   */
  truncateTo(targetOffset: number): Promise<boolean> {
    if (targetOffset < 0) return Promise.reject(new InvalidOffsetError(`cannot truncate to ${targetOffset}`));
    return this.enqueueOp(() =>
      this.maintenance.run(async () => {
        this.checkUsable();
        if (targetOffset >= this.nextOffset) return false;
        await this.inactiveChain;
        if (targetOffset < this.segments[0]!.baseOffset) {
          await this.resetTo(targetOffset);
          return true;
        }
        const keep = this.segments.filter((s) => s.baseOffset <= targetOffset);
        const drop = this.segments.filter((s) => s.baseOffset > targetOffset);
        this.segments = keep;
        for (const s of drop) await s.delete();
        const active = this.activeSegment;
        const firstRemoved = await active.translateOffset(targetOffset);
        await active.truncateTo(targetOffset);
        const leo = firstRemoved !== null ? Math.min(targetOffset, firstRemoved.baseOffset) : targetOffset;
        this.nextOffset = Math.max(leo, this._logStartOffset);
        this._recoveryPoint = Math.min(this._recoveryPoint, this.nextOffset);
        this._highWatermark = Math.min(this._highWatermark, this.nextOffset);
        await this.leaderEpochCache.truncateFromEnd(this.nextOffset);
        await loadProducerState(this, this.producerState);
        return true;
      }),
    );
  }

  /** Deletes every segment and restarts the log empty at `offset` (follower far behind the leader's start). */
  truncateFullyAndStartAt(offset: number): Promise<void> {
    return this.enqueueOp(() =>
      this.maintenance.run(async () => {
        this.checkUsable();
        await this.inactiveChain;
        await this.resetTo(offset);
      }),
    );
  }

  private async resetTo(offset: number): Promise<void> {
    const old = this.segments;
    for (const s of old) await s.delete();
    this.segments = [await LogSegment.create(this.dir, offset, this.segmentOptions(), this.clock.now())];
    this.nextOffset = offset;
    this._logStartOffset = offset;
    this._recoveryPoint = offset;
    this._highWatermark = offset;
    await this.leaderEpochCache.clear();
    await deleteSnapshotsOutside(this.dir, offset, offset);
    this.producerState.clear(offset);
    this.onLogStartOffsetChange?.(offset);
  }

  /** DeleteRecords: moves logStartOffset up to `offset` (<= high watermark) and drops whole segments below it. */
  async deleteRecordsTo(offset: number): Promise<number> {
    this.checkUsable();
    if (offset > this._highWatermark || offset < 0) {
      throw new OffsetOutOfRangeError(
        `cannot delete records to ${offset}: high watermark is ${this._highWatermark}`,
        this._logStartOffset,
        this.nextOffset,
      );
    }
    await this.maybeIncrementLogStartOffset(offset);
    await deleteSegmentsBelowLogStart(this);
    return this._logStartOffset;
  }

  /** Raises logStartOffset (never lowers it) and trims the epoch cache. */
  async maybeIncrementLogStartOffset(offset: number): Promise<void> {
    if (offset <= this._logStartOffset) return;
    this._logStartOffset = Math.min(offset, this.nextOffset);
    this._highWatermark = Math.max(this._highWatermark, this._logStartOffset);
    if (this._logStartOffset > this._recoveryPoint) this._recoveryPoint = this._logStartOffset;
    await this.leaderEpochCache.truncateFromStart(this._logStartOffset);
    this.producerState.truncateHead(this._logStartOffset);
    this.onLogStartOffsetChange?.(this._logStartOffset);
  }

  /**
   * Removes `segs` (inactive, from the head or being replaced) from the list and deletes their
   * files after in-flight reads finish. Caller holds `maintenance`.
   */
  async removeSegments(segs: LogSegment[]): Promise<void> {
    if (segs.length === 0) return;
    await this.inactiveChain;
    this.segments = this.segments.filter((s) => !segs.includes(s));
    for (const s of segs) {
      await s.changeFileSuffix('.deleted');
      await s.delete();
    }
  }

  /** Swaps compacted replacements in for `olds` (see LogCleaner). Caller holds `maintenance`. */
  replaceSegments(olds: LogSegment[], replacement: LogSegment): void {
    const at = this.segments.indexOf(olds[0]!);
    this.segments = [...this.segments.slice(0, at), replacement, ...this.segments.slice(at + olds.length)];
  }

  /** Waits for background roll work (tests, cleaner). */
  async settle(): Promise<void> {
    await this.inactiveChain;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Flushes and closes every segment; queued appends complete first, later ones reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    const drained = this.enqueueOp(async () => undefined);
    this.closed = true;
    await drained;
    await this.inactiveChain;
    await this.maintenance.run(async () => {
      if (this.failure === null) {
        await this.flushTo(this.nextOffset);
        // Next open restores from here instead of replaying the tail; older snapshots are superseded.
        await writeSnapshot(this.dir, this.nextOffset, this.producerState.entries());
        await deleteSnapshotsOutside(this.dir, this.nextOffset, this.nextOffset);
      }
      for (const s of this.segments) await s.close();
    });
  }

  /** Closes without flushing or writing indexes (tests simulating a crash). */
  async closeUnclean(): Promise<void> {
    this.closed = true;
    for (const s of this.segments) await s.closeHandlers();
  }

  /** Closes and removes the partition directory. */
  async delete(): Promise<void> {
    if (!this.closed) {
      const drained = this.enqueueOp(async () => undefined);
      this.closed = true;
      await drained;
    }
    await this.inactiveChain;
    await this.maintenance.run(async () => {
      for (const s of this.segments) await s.closeHandlers();
      await rm(this.dir, { recursive: true, force: true });
    });
  }
}

export function segmentOptionsOf(config: LogConfig): SegmentOptions {
  return {
    indexIntervalBytes: config.indexIntervalBytes,
    maxIndexBytes: config.segmentIndexBytes,
    preallocateIndexes: config.preallocateIndexes,
  };
}
