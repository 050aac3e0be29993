import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/common/clock.js';
import { batchBaseOffset, batchPartitionLeaderEpoch } from '../../../src/protocol/records/batch-header.js';
import { validateRecordBatches } from '../../../src/protocol/records/validate.js';
import { OffsetOutOfRangeError } from '../../../src/storage/errors.js';
import { Log } from '../../../src/storage/log/log.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP } from '../../../src/storage/log/types.js';
import { makeBatch, makeSizedBatch, readAll, recordsOf, withTempDir } from '../../support/storage-batches.js';

const tp = { topic: 't', partition: 0 };

describe('Log', () => {
  it('assigns offsets by patching the header and reads them back', () =>
    withTempDir(async (dir) => {
      const log = await Log.open({ dir, topicPartition: tp });
      const a = await log.append(makeBatch([{ key: 'a' }, { key: 'b' }]), { leaderEpoch: 3 });
      const b = await log.append(makeBatch([{ key: 'c' }]), { leaderEpoch: 3 });
      assert.deepEqual([a.firstOffset, a.lastOffset, b.firstOffset, b.lastOffset], [0, 1, 2, 2]);
      assert.equal(log.logEndOffset, 3);
      const r = await log.read(1, { maxBytes: 1 << 20 });
      assert.equal(r.firstOffset, 0);
      assert.deepEqual(
        recordsOf(r.records).map((x) => x.key),
        ['a', 'b', 'c'],
      );
      assert.equal(batchPartitionLeaderEpoch(r.records), 3);
      validateRecordBatches(r.records); // CRCs still valid
      assert.deepEqual(log.leaderEpochCache.all, [{ epoch: 3, startOffset: 0 }]);
      await log.close();
    }));

  it('concurrent appends keep order and coalesce', () =>
    withTempDir(async (dir) => {
      const log = await Log.open({ dir, topicPartition: tp, config: { flushMessages: 1 } });
      const infos = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(makeBatch([{ key: `k${i}` }]))));
      assert.deepEqual(
        infos.map((i) => i.firstOffset),
        Array.from({ length: 50 }, (_, i) => i),
      );
      assert.equal(log.recoveryPoint, 50);
      const r = await log.read(0, { maxBytes: 1 << 20 });
      assert.deepEqual(
        recordsOf(r.records).map((x) => x.key),
        infos.map((_, i) => `k${i}`),
      );
      await log.close();
    }));

  it('concurrent appends of large batches keep order and bytes (group commit through writev)', () =>
    withTempDir(async (dir) => {
      // flush.messages=1: while one append's fsync runs, the next ones queue and are written
      // together: five batches of ~40 KiB (under 256 KiB in all) go to writev uncopied.
      const log = await Log.open({ dir, topicPartition: tp, config: { flushMessages: 1 } });
      const value = (i: number) => `${i}`.padStart(8, '0').repeat(5000);
      const infos = await Promise.all(
        Array.from({ length: 6 }, (_, i) => log.append(makeBatch([{ key: `k${i}`, value: value(i) }]))),
      );
      assert.deepEqual(
        infos.map((i) => i.firstOffset),
        Array.from({ length: 6 }, (_, i) => i),
      );
      assert.deepEqual(
        (await readAll(log, 0)).map((x) => [x.key, x.value]),
        infos.map((_, i) => [`k${i}`, value(i)]),
      );
      await log.close();
    }));

  it('throws OffsetOutOfRange outside [logStartOffset, logEndOffset] and returns empty at the end', () =>
    withTempDir(async (dir) => {
      const log = await Log.open({ dir, topicPartition: tp });
      await log.append(makeBatch([{ key: 'a' }]));
      await assert.rejects(log.read(2, { maxBytes: 100 }), OffsetOutOfRangeError);
      assert.equal((await log.read(1, { maxBytes: 100 })).records.length, 0);
      await log.close();
    }));

  it('returns a batch larger than maxBytes when it is first, and only whole batches', () =>
    withTempDir(async (dir) => {
      const log = await Log.open({ dir, topicPartition: tp });
      const big = makeSizedBatch(1, 5000);
      await log.append(big);
      await log.append(makeSizedBatch(1, 5000));
      const r = await log.read(0, { maxBytes: 100 });
      assert.equal(r.records.length, big.length);
      const none = await log.read(0, { maxBytes: 100, minOneMessage: false });
      assert.equal(none.records.length, 0);
      const one = await log.read(0, { maxBytes: big.length + 10 });
      assert.equal(one.records.length, big.length);
      const hw = await log.read(0, { maxBytes: 1 << 20, maxOffset: 1 });
      assert.equal(hw.records.length, big.length);
      await log.close();
    }));

  it('rolls by segment.bytes and reads across segments', () =>
    withTempDir(async (dir) => {
      const log = await Log.open({ dir, topicPartition: tp, config: { segmentBytes: 1000, indexIntervalBytes: 100 } });
      for (let i = 0; i < 30; i++) await log.append(makeSizedBatch(2, 100));
      assert.ok(log.segments.length > 5);
      for (const s of log.segments) assert.ok(s.size <= 1000);
      const r = await log.read(0, { maxBytes: 1 << 20 });
      assert.deepEqual(
        recordsOf(r.records)
          .map((x) => x.offset)
          .slice(0, 3),
        [0, 1, 2],
      );
      let off = 0;
      let count = 0;
      while (off < log.logEndOffset) {
        const part = await log.read(off, { maxBytes: 500 });
        const recs = recordsOf(part.records);
        count += recs.filter((x) => x.offset >= off).length;
        off = recs.at(-1)!.offset + 1;
      }
      assert.equal(count, 60);
      await log.close();
      const files = (await readdir(dir)).filter((f) => f.endsWith('.log'));
      assert.equal(files[0], '00000000000000000000.log');
      // Closed indexes are trimmed to their entries.
      const idx = await stat(join(dir, '00000000000000000000.index'));
      assert.equal(idx.size % 8, 0);
      assert.ok(idx.size < 1000);
    }));

  it('reopens after a clean close without scanning and continues offsets', () =>
    withTempDir(async (dir) => {
      let log = await Log.open({ dir, topicPartition: tp, config: { segmentBytes: 2000 } });
      for (let i = 0; i < 20; i++) await log.append(makeSizedBatch(1, 200));
      const leo = log.logEndOffset;
      const rp = log.recoveryPoint;
      await log.close();
      log = await Log.open({
        dir,
        topicPartition: tp,
        config: { segmentBytes: 2000 },
        hadCleanShutdown: true,
        recoveryPoint: rp,
      });
      assert.equal(log.logEndOffset, leo);
      const info = await log.append(makeSizedBatch(1, 10));
      assert.equal(info.firstOffset, leo);
      await log.close();
    }));

  it('truncateTo then append reuses offsets; truncateFullyAndStartAt restarts', () =>
    withTempDir(async (dir) => {
      const log = await Log.open({ dir, topicPartition: tp, config: { segmentBytes: 600 } });
      for (let i = 0; i < 20; i++)
        await log.append(makeBatch([{ key: `k${i}`, value: 'x'.repeat(50) }]), { leaderEpoch: i < 10 ? 1 : 2 });
      assert.equal(await log.truncateTo(7), true);
      assert.equal(log.logEndOffset, 7);
      assert.deepEqual(log.leaderEpochCache.all, [{ epoch: 1, startOffset: 0 }]);
      const info = await log.append(makeBatch([{ key: 'new' }]));
      assert.equal(info.firstOffset, 7);
      const all = await readAll(log);
      assert.deepEqual(
        all.map((r) => r.offset),
        [0, 1, 2, 3, 4, 5, 6, 7],
      );
      assert.equal(all.at(-1)!.key, 'new');
      await log.truncateFullyAndStartAt(100);
      assert.equal(log.logStartOffset, 100);
      assert.equal((await log.append(makeBatch([{ key: 'z' }]))).firstOffset, 100);
      assert.equal(batchBaseOffset((await log.read(100, { maxBytes: 1000 })).records), 100);
      await log.close();
    }));

  it('LogAppendTime rewrites maxTimestamp and keeps the CRC valid', () =>
    withTempDir(async (dir) => {
      const clock = new ManualClock(2_000_000_000_000);
      const log = await Log.open({ dir, topicPartition: tp, clock, config: { messageTimestampType: 'LogAppendTime' } });
      const info = await log.append(makeBatch([{ key: 'a', timestamp: 5 }]));
      assert.equal(info.logAppendTimeMs, 2_000_000_000_000);
      const r = await log.read(0, { maxBytes: 1000 });
      const [s] = validateRecordBatches(r.records);
      assert.equal(s!.maxTimestamp, 2_000_000_000_000);
      assert.equal(recordsOf(r.records)[0]!.timestamp, 2_000_000_000_000);
      await log.close();
    }));

  it('finds offsets by timestamp, earliest, latest and max timestamp', () =>
    withTempDir(async (dir) => {
      const log = await Log.open({ dir, topicPartition: tp, config: { segmentBytes: 400, indexIntervalBytes: 50 } });
      for (let i = 0; i < 20; i++)
        await log.append(
          makeBatch([
            { key: `a${i}`, timestamp: 1000 + i * 10 },
            { key: `b${i}`, timestamp: 1000 + i * 10 + 5 },
          ]),
        );
      assert.equal((await log.fetchOffsetByTimestamp(EARLIEST_TIMESTAMP))!.offset, 0);
      assert.equal((await log.fetchOffsetByTimestamp(LATEST_TIMESTAMP))!.offset, 40);
      assert.deepEqual(await log.fetchOffsetByTimestamp(1000 + 7 * 10 + 3), {
        timestamp: 1075,
        offset: 15,
        leaderEpoch: -1,
      });
      assert.equal((await log.fetchOffsetByTimestamp(1000 + 7 * 10))!.offset, 14);
      assert.equal((await log.fetchOffsetByTimestamp(0))!.offset, 0);
      assert.equal(await log.fetchOffsetByTimestamp(99999), null);
      assert.deepEqual(await log.fetchOffsetByTimestamp(MAX_TIMESTAMP), {
        timestamp: 1195,
        offset: 39,
        leaderEpoch: -1,
      });
      await log.close();
    }));

  it('follower appends keep offsets and reject gaps backwards', () =>
    withTempDir(async (dir) => {
      const log = await Log.open({ dir, topicPartition: tp });
      await log.append(makeBatch([{ key: 'a' }, { key: 'b' }], { baseOffset: 0, partitionLeaderEpoch: 4 }), {
        assignOffsets: false,
      });
      await log.append(makeBatch([{ key: 'c' }], { baseOffset: 5, partitionLeaderEpoch: 5 }), { assignOffsets: false });
      assert.equal(log.logEndOffset, 6);
      await assert.rejects(log.append(makeBatch([{ key: 'd' }], { baseOffset: 3 }), { assignOffsets: false }), {
        code: 'ERR_INVALID_OFFSET',
      });
      assert.deepEqual(log.leaderEpochCache.all, [
        { epoch: 4, startOffset: 0 },
        { epoch: 5, startOffset: 5 },
      ]);
      assert.deepEqual(log.leaderEpochCache.endOffsetFor(4, log.logEndOffset), { epoch: 4, endOffset: 5 });
      await log.close();
    }));
});
