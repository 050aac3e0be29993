/**
 * Rebuilds a disk log's producer state: restore the latest usable snapshot at or below the log
 * end, then replay batch headers (producerId, epoch, baseSequence, lastOffsetDelta — never the
 * records) from the snapshot's offset to the log end. Without a snapshot only the last two
 * segments are replayed, Kafka's rule: producers last seen before them are unknown, and an unknown
 * producer's next batch is accepted with any sequence, so the cost of a restart stays bounded by
 * two segments whatever the log's length.
 */
import type { LogSegment } from '../segment/log-segment.js';
import type { ProducerStateManager } from './producer-state-manager.js';
import { deleteSnapshotsOutside, listSnapshots, readSnapshot } from './snapshot-file.js';

export interface ProducerStateSource {
  dir: string;
  segments: LogSegment[];
  logStartOffset: number;
  logEndOffset: number;
}

export async function loadProducerState(log: ProducerStateSource, state: ProducerStateManager): Promise<void> {
  const { dir, segments, logStartOffset, logEndOffset } = log;
  state.clear(logStartOffset);
  // Snapshots past the log end describe data that recovery or truncation removed.
  await deleteSnapshotsOutside(dir, 0, logEndOffset);
  let from = segments.length >= 2 ? segments.at(-2)!.baseOffset : (segments[0]?.baseOffset ?? logStartOffset);
  for (const offset of (await listSnapshots(dir)).reverse()) {
    const entries = await readSnapshot(dir, offset);
    if (entries === null) continue;
    for (const e of entries) state.restore(e);
    from = offset;
    break;
  }
  for (let i = 0; i < segments.length; i++) {
    const next = segments[i + 1]?.baseOffset ?? Number.POSITIVE_INFINITY;
    if (next <= from) continue;
    for await (const b of segments[i]!.headers()) {
      if (b.lastOffset < from) continue;
      state.update({ ...b, lastOffsetDelta: b.lastOffset - b.baseOffset }, b.baseOffset);
    }
  }
  state.mapEndOffset = logEndOffset;
  state.truncateHead(logStartOffset);
}
