/**
 * Offset assignment for a group of queued appends (the Log's group commit), header-only:
 * leader appends get consecutive offsets patched into baseOffset (outside the CRC), the leader
 * epoch into partitionLeaderEpoch (outside the CRC) and, for LogAppendTime topics, the broker time
 * into maxTimestamp plus the timestamp-type bit (inside the CRC, which is recomputed). Follower
 * appends keep their offsets, which must not go backwards; an item that breaks that is rejected
 * alone. Mutates each item's buffer and BatchInfos in place.
 *
 * Idempotent producers (when a ProducerStateManager is given): a leader append that repeats one of
 * its producer's last five batches is answered with the original offsets and not written
 * (`duplicate`); one with a bad sequence or a stale epoch is rejected alone; accepted batches
 * update the state here, in offset order, before the group is written — a failed write fails the
 * whole log, so the state never runs ahead of a log that keeps serving.
 */
import {
  LAST_OFFSET_DELTA_OFFSET,
  setBatchBaseOffset,
  setBatchPartitionLeaderEpoch,
} from '../../protocol/records/batch-header.js';
import { InvalidOffsetError } from '../errors.js';
import { type BatchInfo, setLogAppendTime } from '../segment/batch-scan.js';
import type { ProducerBatch, ProducerStateManager } from '../producer-state/producer-state-manager.js';
import type { AppendOptions, LogAppendInfo } from './types.js';

export interface AppendItem {
  kind: 'append';
  records: Buffer;
  batches: BatchInfo[];
  options: AppendOptions;
  resolve: (info: LogAppendInfo) => void;
  reject: (err: unknown) => void;
}

export interface AcceptedAppend {
  item: AppendItem;
  info: LogAppendInfo;
  /** A retried idempotent batch already in the log: nothing to write, `info` is the original's. */
  duplicate?: boolean;
}

// An explicit literal, not a spread of the BatchInfo: this runs for every appended batch.
const asProducerBatch = (b: BatchInfo): ProducerBatch => ({
  producerId: b.producerId,
  producerEpoch: b.producerEpoch,
  baseSequence: b.baseSequence,
  lastOffsetDelta: b.lastOffset - b.baseOffset,
  maxTimestamp: b.maxTimestamp,
});

export function assignOffsets(
  group: AppendItem[],
  nextOffset: number,
  logStartOffset: number,
  now: number,
  logAppendTime: boolean,
  producers?: ProducerStateManager,
): AcceptedAppend[] {
  const accepted: AcceptedAppend[] = [];
  let next = nextOffset;
  for (const item of group) {
    const assign = item.options.assignOffsets !== false;
    const { records, batches } = item;
    if (assign && producers !== undefined && batches.some((b) => b.producerId >= 0)) {
      // Kafka checks for a duplicate first: a retry must succeed even though its sequence is old.
      const dup = producers.findDuplicate(asProducerBatch(batches[0]!));
      if (dup !== undefined) {
        accepted.push({
          item,
          duplicate: true,
          info: {
            firstOffset: dup.firstOffset,
            lastOffset: dup.lastOffset,
            maxTimestamp: dup.timestamp,
            offsetOfMaxTimestamp: dup.lastOffset,
            logAppendTimeMs: logAppendTime ? dup.timestamp : -1,
            logStartOffset,
            recordCount: 0,
            validBytes: 0,
          },
        });
        continue;
      }
      try {
        producers.validateClientBatches(batches.map(asProducerBatch), next);
      } catch (err) {
        item.reject(err);
        continue;
      }
    }
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
      producers?.update(asProducerBatch(b), b.baseOffset);
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
