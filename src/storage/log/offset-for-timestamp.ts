/**
 * ListOffsets lookups over a Log: earliest, latest, max timestamp, and "first offset whose
 * timestamp >= t". Segment and batch level work uses the indexes and batch headers; only the one
 * batch that holds the answer is decoded, to find the exact record (a batch's maxTimestamp says
 * nothing about the order of timestamps inside it).
 */
import { iterateRecords } from '../../protocol/records/decode.js';
import type { Log } from './log.js';
import { EARLIEST_LOCAL_TIMESTAMP, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP, type TimestampAndOffset } from './types.js';

const TIMESTAMP_TYPE_LOG_APPEND = 0x08;

export async function offsetForTimestamp(log: Log, timestamp: number): Promise<TimestampAndOffset | null> {
  const epochs = log.leaderEpochCache;
  if (timestamp === EARLIEST_TIMESTAMP || timestamp === EARLIEST_LOCAL_TIMESTAMP) {
    const offset = log.logStartOffset;
    return { timestamp: -1, offset, leaderEpoch: epochs.epochForOffset(offset) };
  }
  if (timestamp === LATEST_TIMESTAMP) {
    return { timestamp: -1, offset: log.logEndOffset, leaderEpoch: epochs.latestEpoch() };
  }
  const segs = log.segments;
  if (timestamp === MAX_TIMESTAMP) {
    let best: (typeof segs)[number] | undefined;
    for (const s of segs) if (s.maxTimestamp >= 0 && (best === undefined || s.maxTimestamp > best.maxTimestamp)) best = s;
    if (best === undefined) return { timestamp: -1, offset: -1, leaderEpoch: -1 };
    const batch = await best.translateOffset(best.offsetOfMaxTimestamp);
    if (batch === null) return null;
    const bytes = await best.readBytes(batch.position, batch.size);
    // The exact record carrying the max timestamp (KIP-734); the first one if several tie.
    let found = { timestamp: batch.maxTimestamp, offset: batch.lastOffset };
    if ((batch.attributes & TIMESTAMP_TYPE_LOG_APPEND) === 0) {
      for (const r of iterateRecords(bytes, 0, { verifyCrc: false })) {
        if (r.timestamp === batch.maxTimestamp) {
          found = { timestamp: r.timestamp, offset: r.offset };
          break;
        }
      }
    } else found = { timestamp: batch.maxTimestamp, offset: batch.baseOffset };
    return { ...found, leaderEpoch: epochs.epochForOffset(found.offset) };
  }
  if (timestamp < 0) return null;
  const startOffset = log.logStartOffset;
  for (const s of segs) {
    if (s.maxTimestamp < timestamp) continue;
    const batch = await s.findBatchByTimestamp(timestamp, startOffset);
    if (batch === null) continue;
    const bytes = await s.readBytes(batch.position, batch.size);
    const logAppendTime = (batch.attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0;
    for (const r of iterateRecords(bytes, 0, { verifyCrc: false })) {
      if (r.offset < startOffset) continue;
      if (logAppendTime || r.timestamp >= timestamp) {
        return { timestamp: r.timestamp, offset: r.offset, leaderEpoch: epochs.epochForOffset(r.offset) };
      }
    }
  }
  return null;
}
