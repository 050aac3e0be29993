/**
 * MemoryLog: a partition log held in memory, behind the same PartitionLog interface as the disk
 * Log — for `startBroker({ storage: 'memory' })` and tests. Same offset assignment, LogAppendTime
 * rewrite, read semantics (whole batches, minOneMessage, maxOffset bound), ListOffsets lookups,
 * truncation, DeleteRecords, leader-epoch cache and idempotent-producer state; no files, no durability, no segments, no
 * retention by time/size, no compaction.
 *
 * Concurrency: every operation completes synchronously inside its promise, so appends are ordered
 * by call order and reads see a consistent array.
 */
import { type Clock, systemClock } from '../../common/clock.js';
import { iterateRecords } from '../../protocol/records/decode.js';
import { type LogConfig, makeLogConfig } from '../config.js';
import { LeaderEpochCache } from '../epoch/leader-epoch-cache.js';
import { CorruptRecordError, LogClosedError, OffsetOutOfRangeError } from '../errors.js';
import { type AppendItem, assignOffsets } from '../log/assign-offsets.js';
import { ProducerStateManager } from '../producer-state/producer-state-manager.js';
import { type BatchInfo, scanBuffer } from '../segment/batch-scan.js';
import type { TopicPartition } from '../segment/file-names.js';
import {
  type AppendOptions,
  EARLIEST_LOCAL_TIMESTAMP,
  EARLIEST_TIMESTAMP,
  type FetchDataInfo,
  LATEST_TIMESTAMP,
  type LogAppendInfo,
  MAX_TIMESTAMP,
  type PartitionLog,
  type ReadOptions,
  type TimestampAndOffset,
} from '../log/types.js';

interface StoredBatch {
  info: BatchInfo;
  bytes: Buffer;
}

export class MemoryLog implements PartitionLog {
  private batches: StoredBatch[] = [];
  private nextOffset = 0;
  private _logStartOffset = 0;
  private _highWatermark = 0;
  private closed = false;
  private listeners = new Set<(info: LogAppendInfo) => void>();
  readonly leaderEpochCache = new LeaderEpochCache(null);
  readonly producerState: ProducerStateManager;
  /** Bytes held (kept as a running total: DescribeLogDirs asks often). */
  private bytes = 0;
  config: LogConfig;

  constructor(
    readonly topicPartition: TopicPartition,
    config: Partial<LogConfig> = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.config = makeLogConfig(config);
    this.producerState = new ProducerStateManager(`${topicPartition.topic}-${topicPartition.partition}`);
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
  get size(): number {
    return this.bytes;
  }

  onAppend(listener: (info: LogAppendInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  updateHighWatermark(offset: number): number {
    this._highWatermark = Math.min(Math.max(offset, this._logStartOffset), this.nextOffset);
    return this._highWatermark;
  }

  async append(records: Buffer, options: AppendOptions = {}): Promise<LogAppendInfo> {
    if (this.closed) throw new LogClosedError('memory log');
    const { batches, problem } = scanBuffer(records, false);
    if (problem !== null || batches.length === 0) throw new CorruptRecordError(`invalid batch: ${problem?.reason ?? 'no batches'}`);
    // The disk log's offset assignment and producer-state checks, on a group of one.
    let failure: unknown;
    const item: AppendItem = { kind: 'append', records, batches, options, resolve: () => {}, reject: (err) => (failure = err) };
    const logAppendTime = this.config.messageTimestampType === 'LogAppendTime';
    const [accepted] = assignOffsets([item], this.nextOffset, this._logStartOffset, this.clock.now(), logAppendTime, this.producerState);
    if (accepted === undefined) throw failure;
    const { info, duplicate } = accepted;
    if (duplicate) return info;
    // Offsets advance before the first await, so an append issued meanwhile gets the next ones.
    for (const b of batches) {
      // Copy: the caller's buffer may be reused (the disk log has written it by now too).
      this.batches.push({ info: { ...b, position: 0 }, bytes: Buffer.from(records.subarray(b.position, b.position + b.size)) });
      this.nextOffset = b.lastOffset + 1;
    }
    this.bytes += info.validBytes;
    for (const b of batches) if (b.partitionLeaderEpoch >= 0) await this.leaderEpochCache.assign(b.partitionLeaderEpoch, b.baseOffset);
    for (const l of this.listeners) l(info);
    return info;
  }

  private setBatches(batches: StoredBatch[]): void {
    this.batches = batches;
    this.bytes = batches.reduce((n, b) => n + b.bytes.length, 0);
  }

  private firstBatchIndex(offset: number): number {
    let lo = 0;
    let hi = this.batches.length - 1;
    let found = this.batches.length;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.batches[mid]!.info.lastOffset >= offset) {
        found = mid;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    return found;
  }

  async read(startOffset: number, options: ReadOptions): Promise<FetchDataInfo> {
    if (this.closed) throw new LogClosedError('memory log');
    if (startOffset < this._logStartOffset || startOffset > this.nextOffset) {
      throw new OffsetOutOfRangeError(`offset ${startOffset} is outside [${this._logStartOffset}, ${this.nextOffset}]`, this._logStartOffset, this.nextOffset);
    }
    const maxOffset = Math.min(options.maxOffset ?? this.nextOffset, this.nextOffset);
    const out: Buffer[] = [];
    let bytes = 0;
    for (let i = this.firstBatchIndex(startOffset); i < this.batches.length; i++) {
      const b = this.batches[i]!;
      if (b.info.lastOffset >= maxOffset) break;
      if (bytes + b.bytes.length > options.maxBytes && (out.length > 0 || options.minOneMessage === false)) break;
      out.push(b.bytes);
      bytes += b.bytes.length;
    }
    return {
      records: Buffer.concat(out, bytes),
      firstOffset: out.length > 0 ? this.batches[this.firstBatchIndex(startOffset)]!.info.baseOffset : -1,
      logStartOffset: this._logStartOffset,
      logEndOffset: this.nextOffset,
      highWatermark: this._highWatermark,
    };
  }

  async fetchOffsetByTimestamp(timestamp: number): Promise<TimestampAndOffset | null> {
    const epochs = this.leaderEpochCache;
    if (timestamp === EARLIEST_TIMESTAMP || timestamp === EARLIEST_LOCAL_TIMESTAMP) {
      return { timestamp: -1, offset: this._logStartOffset, leaderEpoch: epochs.epochForOffset(this._logStartOffset) };
    }
    if (timestamp === LATEST_TIMESTAMP) return { timestamp: -1, offset: this.nextOffset, leaderEpoch: epochs.latestEpoch() };
    const live = this.batches.filter((b) => b.info.lastOffset >= this._logStartOffset);
    if (timestamp === MAX_TIMESTAMP) {
      let best: TimestampAndOffset = { timestamp: -1, offset: -1, leaderEpoch: -1 };
      for (const b of live) {
        for (const r of iterateRecords(b.bytes, 0, { verifyCrc: false })) {
          if (r.timestamp > best.timestamp) best = { timestamp: r.timestamp, offset: r.offset, leaderEpoch: epochs.epochForOffset(r.offset) };
        }
      }
      return best;
    }
    if (timestamp < 0) return null;
    for (const b of live) {
      if (b.info.maxTimestamp < timestamp) continue;
      for (const r of iterateRecords(b.bytes, 0, { verifyCrc: false })) {
        if (r.offset >= this._logStartOffset && r.timestamp >= timestamp) {
          return { timestamp: r.timestamp, offset: r.offset, leaderEpoch: epochs.epochForOffset(r.offset) };
        }
      }
    }
    return null;
  }

  async deleteRecordsTo(offset: number): Promise<number> {
    if (offset > this._highWatermark || offset < 0) {
      throw new OffsetOutOfRangeError(`cannot delete records to ${offset}: high watermark is ${this._highWatermark}`, this._logStartOffset, this.nextOffset);
    }
    if (offset > this._logStartOffset) {
      this._logStartOffset = offset;
      this.setBatches(this.batches.filter((b) => b.info.lastOffset >= offset));
      await this.leaderEpochCache.truncateFromStart(offset);
      this.producerState.truncateHead(offset);
    }
    return this._logStartOffset;
  }

  async truncateTo(offset: number): Promise<boolean> {
    if (offset >= this.nextOffset) return false;
    const i = this.firstBatchIndex(offset);
    const removed = this.batches[i];
    this.setBatches(this.batches.slice(0, i));
    this.nextOffset = Math.max(removed ? Math.min(offset, removed.info.baseOffset) : offset, this._logStartOffset);
    this._highWatermark = Math.min(this._highWatermark, this.nextOffset);
    await this.leaderEpochCache.truncateFromEnd(this.nextOffset);
    // Replay what is left: every batch header is at hand, so no snapshot is needed.
    this.producerState.clear(this._logStartOffset);
    for (const { info: b } of this.batches) this.producerState.update({ ...b, lastOffsetDelta: b.lastOffset - b.baseOffset }, b.baseOffset);
    this.producerState.truncateHead(this._logStartOffset);
    return true;
  }

  async truncateFullyAndStartAt(offset: number): Promise<void> {
    this.setBatches([]);
    this.producerState.clear(offset);
    this.nextOffset = this._logStartOffset = this._highWatermark = offset;
    await this.leaderEpochCache.clear();
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }
}
