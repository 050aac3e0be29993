/**
 * LogCleaner: compaction for logs with cleanup.policy `compact` or `compact,delete` — keep the
 * latest record per key, drop tombstones (null value) older than delete.retention.ms, preserve
 * offsets (cleaned batches keep baseOffset, lastOffsetDelta, producer fields and each record's
 * offsetDelta/timestampDelta).
 *
 * A pass over one log (Kafka's LogCleaner, simplified to one pass at a time and an in-memory map):
 * 1. The dirty section is [firstDirtyOffset, first uncleanable offset): never the active segment,
 *    nor segments newer than min.compaction.lag.ms. The pass runs if dirty/(clean+dirty) bytes
 *    reaches min.cleanable.dirty.ratio.
 * 2. Build key -> last offset over the dirty section.
 * 3. Recopy every segment below the uncleanable offset, in groups that fit one segment, keeping a
 *    record if it is the latest for its key (or its key is not in the map) and is not an expired
 *    tombstone. Batches with every record kept are copied byte for byte; others are re-encoded with
 *    the same header fields and compression; emptied batches are dropped. Control batches are kept.
 * 4. Swap, crash-safely: write `<base>.log.cleaned` (+ indexes), fsync, rename to `.swap`, rename the
 *    originals to `.deleted`, rename the swap into place, delete the originals. LogLoader finishes
 *    any of these steps after a crash.
 *
 * Concurrency: holds the log's maintenance mutex (no retention or truncation meanwhile) and only
 * touches inactive segments, so appends and reads continue; in-flight reads of replaced segments
 * finish before their files are closed. Records without a key are dropped, as Kafka's cleaner does.
 * Not done: transactional aborts, keeping emptied batches for producer-state, I/O throttling.
 */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { CONTROL_FLAG_MASK, COMPRESSION_CODEC_MASK, TIMESTAMP_TYPE_MASK, TimestampType } from '../../protocol/records/batch-header.js';
import { decodeRecordBatch } from '../../protocol/records/decode.js';
import { encodeRecordBatch } from '../../protocol/records/encode.js';
import type { Log } from '../log/log.js';
import { segmentOptionsOf } from '../log/log.js';
import { CLEANED_FILE_SUFFIX, DELETED_FILE_SUFFIX, SWAP_FILE_SUFFIX } from '../segment/file-names.js';
import { LogSegment } from '../segment/log-segment.js';

const INT32_MAX = 2147483647;

export interface CleanableInfo {
  firstDirtyOffset: number;
  firstUncleanableOffset: number;
  cleanBytes: number;
  dirtyBytes: number;
  ratio: number;
}

export interface CleanStats {
  segmentsIn: number;
  segmentsOut: number;
  bytesIn: number;
  bytesOut: number;
  recordsRemoved: number;
}

export class LogCleaner {
  private readonly firstDirty = new Map<Log, number>();
  private stopped = false;
  readonly clock: Clock;
  private readonly logger: Pick<Logger, 'warn' | 'info'> | undefined;

  constructor(o: { clock: Clock; logger?: Pick<Logger, 'warn' | 'info'> }) {
    this.clock = o.clock;
    this.logger = o.logger;
  }

  setFirstDirtyOffset(log: Log, offset: number): void {
    this.firstDirty.set(log, offset);
  }

  firstDirtyOffsetOf(log: Log): number | undefined {
    return this.firstDirty.get(log);
  }

  forget(log: Log): void {
    this.firstDirty.delete(log);
  }

  stop(): void {
    this.stopped = true;
  }

  cleanableInfo(log: Log): CleanableInfo {
    const segs = log.segments;
    const now = this.clock.now();
    const firstDirtyOffset = Math.max(this.firstDirty.get(log) ?? log.logStartOffset, log.logStartOffset);
    // The active segment, and anything within min.compaction.lag.ms, is uncleanable.
    let end = segs.length - 1;
    for (let i = 0; i < segs.length - 1 && log.config.minCompactionLagMs > 0; i++) {
      if (now - segs[i]!.largestTimestamp < log.config.minCompactionLagMs) {
        end = i;
        break;
      }
    }
    const firstUncleanableOffset = segs[end]!.baseOffset;
    let cleanBytes = 0;
    let dirtyBytes = 0;
    for (let i = 0; i < end; i++) {
      const s = segs[i]!;
      const next = segs[i + 1]!.baseOffset;
      if (next <= firstDirtyOffset) cleanBytes += s.size;
      else dirtyBytes += s.size;
    }
    const total = cleanBytes + dirtyBytes;
    return { firstDirtyOffset, firstUncleanableOffset, cleanBytes, dirtyBytes, ratio: total === 0 ? 0 : dirtyBytes / total };
  }

  /** Cleans the log with the highest dirty ratio that reaches its min.cleanable.dirty.ratio. */
  async cleanDirtiest(logs: Log[]): Promise<boolean> {
    let best: { log: Log; ratio: number } | undefined;
    for (const log of logs) {
      const info = this.cleanableInfo(log);
      if (info.dirtyBytes === 0 || info.ratio < log.config.minCleanableDirtyRatio) continue;
      if (best === undefined || info.ratio > best.ratio) best = { log, ratio: info.ratio };
    }
    if (best === undefined || this.stopped) return false;
    await this.clean(best.log);
    return true;
  }

  /** One compaction pass over `log` regardless of its dirty ratio. */
  async clean(log: Log): Promise<CleanStats> {
    return log.maintenance.run(async () => {
      await log.settle();
      const stats: CleanStats = { segmentsIn: 0, segmentsOut: 0, bytesIn: 0, bytesOut: 0, recordsRemoved: 0 };
      if (log.isClosed) return stats;
      const info = this.cleanableInfo(log);
      const segs = log.segments;
      const cleanable = segs.filter((s) => s.baseOffset < info.firstUncleanableOffset);
      if (cleanable.length === 0) return stats;
      const latest = await this.buildOffsetMap(cleanable, info.firstDirtyOffset);
      const now = this.clock.now();
      const tombstoneHorizon = now - log.config.deleteRetentionMs;
      for (const group of this.groupSegments(log, cleanable)) {
        if (this.stopped || log.isClosed) break;
        const out = await this.cleanGroup(log, group, latest, tombstoneHorizon, stats);
        stats.segmentsIn += group.length;
        stats.segmentsOut += 1;
        stats.bytesOut += out.size;
      }
      this.firstDirty.set(log, info.firstUncleanableOffset);
      this.logger?.info({ dir: log.dir, ...stats }, 'log cleaned');
      return stats;
    });
  }

  private async buildOffsetMap(segs: LogSegment[], firstDirtyOffset: number): Promise<Map<string, number>> {
    const latest = new Map<string, number>();
    for (const seg of segs) {
      for await (const b of seg.batches()) {
        if (b.lastOffset < firstDirtyOffset || (b.attributes & CONTROL_FLAG_MASK) !== 0) continue;
        for (const r of decodeRecordBatch(b.bytes, 0, { verifyCrc: false }).records) {
          // latin1 maps bytes 1:1 to a string: a cheap exact key for arbitrary binary keys.
          if (r.key !== null && r.offset >= firstDirtyOffset) latest.set(r.key.toString('latin1'), r.offset);
        }
      }
    }
    return latest;
  }

  /** Consecutive segments whose combined size fits one segment and whose offsets fit int32 from the first. */
  private groupSegments(log: Log, segs: LogSegment[]): LogSegment[][] {
    const all = log.segments;
    const groups: LogSegment[][] = [];
    let cur: LogSegment[] = [];
    let bytes = 0;
    let entries = 0;
    for (const s of segs) {
      const next = all[all.indexOf(s) + 1];
      const end = next?.baseOffset ?? log.logEndOffset;
      // Index entries of the output are at most those of the inputs (same bytes or fewer).
      const e = Math.max(s.offsetIndex.entries, s.timeIndex.entries) + 1;
      const tooBig = bytes + s.size > log.config.segmentBytes || entries + e >= s.timeIndex.maxEntries;
      if (cur.length > 0 && (tooBig || end - 1 - cur[0]!.baseOffset > INT32_MAX)) {
        groups.push(cur);
        cur = [];
        bytes = 0;
        entries = 0;
      }
      cur.push(s);
      bytes += s.size;
      entries += e;
    }
    if (cur.length > 0) groups.push(cur);
    return groups;
  }

  private async cleanGroup(log: Log, group: LogSegment[], latest: Map<string, number>, tombstoneHorizon: number, stats: CleanStats): Promise<LogSegment> {
    const base = group[0]!.baseOffset;
    const now = this.clock.now();
    const cleaned = await LogSegment.create(log.dir, base, segmentOptionsOf(log.config), now, CLEANED_FILE_SUFFIX);
    try {
      for (const seg of group) {
        stats.bytesIn += seg.size;
        for await (const b of seg.batches()) {
          const kept = this.filterBatch(b.bytes, b.attributes, latest, tombstoneHorizon, stats);
          if (kept === null) continue;
          await cleaned.append([kept], [{ baseOffset: b.baseOffset, lastOffset: b.lastOffset, maxTimestamp: kept.readBigInt64BE(35) === -1n ? -1 : Number(kept.readBigInt64BE(35)), size: kept.length }], now);
        }
      }
      cleaned.lastModifiedMs = Math.max(...group.map((s) => s.lastModifiedMs));
      await cleaned.onBecomeInactive();
      await cleaned.changeFileSuffix(SWAP_FILE_SUFFIX);
    } catch (err) {
      await cleaned.delete();
      throw err;
    }
    log.replaceSegments(group, cleaned);
    for (const s of group) await s.changeFileSuffix(DELETED_FILE_SUFFIX);
    await cleaned.changeFileSuffix('');
    for (const s of group) await s.delete();
    return cleaned;
  }

  /** The batch with only the records to keep: the same bytes, a re-encoded batch, or null if none remain. */
  private filterBatch(bytes: Buffer, attributes: number, latest: Map<string, number>, tombstoneHorizon: number, stats: CleanStats): Buffer | null {
    if ((attributes & CONTROL_FLAG_MASK) !== 0) return bytes;
    const batch = decodeRecordBatch(bytes, 0, { verifyCrc: false });
    const keep = batch.records.filter((r) => {
      if (r.key === null) return false;
      const last = latest.get(r.key.toString('latin1'));
      if (last !== undefined && r.offset < last) return false;
      // Tombstones stay until delete.retention.ms has passed, so consumers can see the delete.
      if (r.value === null && batch.maxTimestamp < tombstoneHorizon) return false;
      return true;
    });
    stats.recordsRemoved += batch.records.length - keep.length;
    if (keep.length === batch.records.length) return bytes;
    if (keep.length === 0) return null;
    const logAppendTime = (attributes & TIMESTAMP_TYPE_MASK) !== 0;
    return encodeRecordBatch({
      baseOffset: batch.baseOffset,
      partitionLeaderEpoch: batch.partitionLeaderEpoch,
      compression: attributes & COMPRESSION_CODEC_MASK,
      attributes: attributes & ~COMPRESSION_CODEC_MASK,
      timestampType: logAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      baseSequence: batch.baseSequence,
      baseTimestamp: batch.baseTimestamp,
      maxTimestamp: logAppendTime ? batch.maxTimestamp : undefined,
      lastOffsetDelta: batch.lastOffsetDelta,
      records: keep.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestampDelta: r.timestampDelta, offsetDelta: r.offsetDelta })),
    });
  }
}
