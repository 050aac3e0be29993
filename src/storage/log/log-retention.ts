/**
 * Retention for one Log (Kafka's deleteOldSegments): whole segments from the head, never the
 * active one, and only segments wholly below the high watermark.
 * - logStartOffset breach (after DeleteRecords): segments whose successor starts at or below it;
 * - retention.ms: segments whose largest timestamp is older than now - retention.ms;
 * - retention.bytes: oldest segments while the log stays at or above retention.bytes without them.
 * Time and size apply only with cleanup.policy containing `delete`; the logStartOffset rule always.
 * Takes the log's maintenance mutex, so it never interleaves with compaction or truncation.
 */
import { isDeleteRetention } from '../config.js';
import type { LogSegment } from '../segment/log-segment.js';
import type { Log } from './log.js';

type Predicate = (seg: LogSegment, next: LogSegment | undefined) => boolean;

async function deleteWhile(log: Log, predicate: Predicate): Promise<number> {
  const segs = log.segments;
  const doomed: LogSegment[] = [];
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i]!;
    const next = segs[i + 1]!;
    // Only data the high watermark has passed may go (Kafka keeps unreplicated data).
    if (next.baseOffset > log.highWatermark) break;
    if (!predicate(seg, next)) break;
    doomed.push(seg);
  }
  if (doomed.length === 0) return 0;
  const newStart = segs[doomed.length]!.baseOffset;
  await log.maybeIncrementLogStartOffset(newStart);
  await log.removeSegments(doomed);
  return doomed.length;
}

/** Deletes segments wholly below logStartOffset. Returns how many went. */
export async function deleteSegmentsBelowLogStart(log: Log): Promise<number> {
  return log.maintenance.run(() => deleteWhile(log, (_seg, next) => next !== undefined && next.baseOffset <= log.logStartOffset));
}

/** Applies every retention rule; returns the number of segments deleted. */
export async function deleteOldSegments(log: Log): Promise<number> {
  return log.maintenance.run(async () => {
    if (log.isClosed) return 0;
    let deleted = await deleteWhile(log, (_seg, next) => next !== undefined && next.baseOffset <= log.logStartOffset);
    if (!isDeleteRetention(log.config)) return deleted;
    const { retentionMs, retentionBytes } = log.config;
    if (Number.isFinite(retentionMs) && retentionMs >= 0) {
      const now = log.clock.now();
      deleted += await deleteWhile(log, (seg) => now - seg.largestTimestamp > retentionMs);
    }
    if (Number.isFinite(retentionBytes) && retentionBytes >= 0) {
      let excess = log.size - retentionBytes;
      deleted += await deleteWhile(log, (seg) => {
        if (excess - seg.size < 0) return false;
        excess -= seg.size;
        return true;
      });
    }
    return deleted;
  });
}
