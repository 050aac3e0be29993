/**
 * Offset assignment for a group of queued appends (the Log's group commit), header-only:
 * leader appends get consecutive offsets patched into baseOffset (outside the CRC), the leader
 * epoch into partitionLeaderEpoch (outside the CRC) and, for LogAppendTime topics, the broker time
 * into maxTimestamp plus the timestamp-type bit (inside the CRC, which is recomputed). Follower
 * appends keep their offsets, which must not go backwards; an item that breaks that is rejected
 * alone. Mutates each item's buffer and BatchInfos in place.
 */
import { LAST_OFFSET_DELTA_OFFSET, setBatchBaseOffset, setBatchPartitionLeaderEpoch } from '../../protocol/records/batch-header.js';
import { InvalidOffsetError } from '../errors.js';
import { type BatchInfo, setLogAppendTime } from '../segment/batch-scan.js';
import type { AppendOptions, LogAppendInfo } from './types.js';

export interface AppendItem {
  kind: 'append';
  records: Buffer;
  batches: BatchInfo[];
  options: AppendOptions;
  resolve: (info: LogAppendInfo) => void;
  reject: (err: unknown) => void;
}

export function assignOffsets(
  group: AppendItem[],
  nextOffset: number,
  logStartOffset: number,
  now: number,
  logAppendTime: boolean,
): Array<{ item: AppendItem; info: LogAppendInfo }> {
  const accepted: Array<{ item: AppendItem; info: LogAppendInfo }> = [];
  let next = nextOffset;
  for (const item of group) {
    const assign = item.options.assignOffsets !== false;
    const { records, batches } = item;
    if (!assign) {
      let expect = next;
      const bad = batches.find((b) => {
        const ok = b.baseOffset >= expect;
        expect = b.lastOffset + 1;
        return !ok;
      });
      if (bad !== undefined) {
        item.reject(new InvalidOffsetError(`batch at offset ${bad.baseOffset} does not follow the log end ${next}`));
        continue;
      }
    }
    let maxTimestamp = -1;
    let offsetOfMaxTimestamp = -1;
    let recordCount = 0;
    let validBytes = 0;
    const firstOffset = assign ? next : batches[0]!.baseOffset;
    for (const b of batches) {
      if (assign) {
        const delta = records.readInt32BE(b.position + LAST_OFFSET_DELTA_OFFSET);
        setBatchBaseOffset(records, next, b.position);
        b.baseOffset = next;
        b.lastOffset = next + delta;
        if (item.options.leaderEpoch !== undefined) {
          setBatchPartitionLeaderEpoch(records, item.options.leaderEpoch, b.position);
          b.partitionLeaderEpoch = item.options.leaderEpoch;
        }
        if (logAppendTime) {
          setLogAppendTime(records, b.position, b.size, now);
          b.maxTimestamp = now;
        }
      }
      next = b.lastOffset + 1;
      if (b.maxTimestamp > maxTimestamp) {
        maxTimestamp = b.maxTimestamp;
        offsetOfMaxTimestamp = b.lastOffset;
      }
      recordCount += b.recordCount;
      validBytes += b.size;
    }
    accepted.push({
      item,
      info: {
        firstOffset,
        lastOffset: next - 1,
        maxTimestamp,
        offsetOfMaxTimestamp,
        logAppendTimeMs: logAppendTime && assign ? now : -1,
        logStartOffset,
        recordCount,
        validBytes,
      },
    });
  }
  return accepted;
}
