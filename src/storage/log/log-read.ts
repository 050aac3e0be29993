/**
 * The read path of a Log: whole batches from the batch containing `startOffset` on, bounded by
 * ReadOptions. Runs concurrently with appends: it works on one snapshot of the copy-on-write
 * `segments` array and a segment only exposes bytes whose write completed. A corrupt index found
 * here is rebuilt (in order with appends, via `rebuildIndexes`) and the read retried once.
 */
import type { Logger } from '../../common/logger.js';
import { CorruptIndexError, OffsetOutOfRangeError } from '../errors.js';
import type { LogSegment } from '../segment/log-segment.js';
import type { FetchDataInfo, ReadOptions } from './types.js';

/** What the read path needs of a Log: its offsets, its segments and a way to rebuild an index. */
export interface ReadableLog {
  readonly dir: string;
  readonly segments: LogSegment[];
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  rebuildIndexes(seg: LogSegment): Promise<void>;
}

/** Index of the last segment whose baseOffset <= offset (0 if none), by binary search. */
export function floorSegmentIndex(segs: readonly LogSegment[], offset: number): number {
  let lo = 0;
  let hi = segs.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segs[mid]!.baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Reads whole batches starting with the batch containing `startOffset` (see ReadOptions). */
export async function readLog(
  log: ReadableLog,
  startOffset: number,
  options: ReadOptions,
  logger: Pick<Logger, 'warn'> | undefined,
): Promise<FetchDataInfo> {
  const leo = log.logEndOffset;
  const lso = log.logStartOffset;
  if (startOffset < lso || startOffset > leo) {
    throw new OffsetOutOfRangeError(`offset ${startOffset} is outside [${lso}, ${leo}] of ${log.dir}`, lso, leo);
  }
  // Offsets are read when the result is built, after the awaits, as they stand then.
  const result = (records: Buffer, firstOffset: number): FetchDataInfo => ({
    records,
    firstOffset,
    logStartOffset: log.logStartOffset,
    logEndOffset: log.logEndOffset,
    highWatermark: log.highWatermark,
  });
  const maxOffset = Math.min(options.maxOffset ?? leo, leo);
  if (startOffset >= maxOffset) return result(Buffer.alloc(0), -1);
  const segs = log.segments;
  for (let i = floorSegmentIndex(segs, startOffset); i < segs.length; i++) {
    const seg = segs[i]!;
    let r: Awaited<ReturnType<LogSegment['read']>>;
    try {
      r = await seg.read(startOffset, options.maxBytes, maxOffset, options.minOneMessage ?? true);
    } catch (err) {
      if (!(err instanceof CorruptIndexError)) throw err;
      logger?.warn({ segment: seg.logPath, err: err.message }, 'rebuilding corrupt index');
      await log.rebuildIndexes(seg);
      r = await seg.read(startOffset, options.maxBytes, maxOffset, options.minOneMessage ?? true);
    }
    if (r !== null) return result(r.records, r.firstBatch.baseOffset);
  }
  return result(Buffer.alloc(0), -1);
}
