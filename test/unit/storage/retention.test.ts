import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/common/clock.js';
import { OffsetOutOfRangeError } from '../../../src/storage/errors.js';
import { Log } from '../../../src/storage/log/log.js';
import { CLEAN_SHUTDOWN_FILE, LogManager } from '../../../src/storage/log/log-manager.js';
import { deleteOldSegments } from '../../../src/storage/log/log-retention.js';
import { makeBatch, readAll, withTempDir } from '../../support/storage-batches.js';

const tp = { topic: 'events', partition: 0 };
const HOUR = 3600_000;

describe('retention', () => {
  it('deletes segments older than retention.ms from the head, never the active one', () =>
    withTempDir(async (dir) => {
      const clock = new ManualClock(1_000_000_000_000);
      const log = await Log.open({
        dir,
        topicPartition: tp,
        clock,
        config: { segmentBytes: 300, retentionMs: 10 * HOUR },
      });
      for (let i = 0; i < 12; i++) {
        await log.append(makeBatch([{ key: `k${i}`, value: 'x'.repeat(100), timestamp: clock.now() }]));
        clock.advance(HOUR);
      }
      log.updateHighWatermark(log.logEndOffset);
      const before = log.segments.length;
      assert.ok(before >= 6);
      // Now = t0 + 12h: batches from t0 and t0+1h are older than 10h.
      const deleted = await deleteOldSegments(log);
      assert.ok(deleted >= 1);
      assert.equal(log.segments.length, before - deleted);
      assert.equal(log.logStartOffset, log.segments[0]!.baseOffset);
      for (const s of log.segments.slice(0, -1)) assert.ok(clock.now() - s.largestTimestamp <= 10 * HOUR);
      await assert.rejects(log.read(0, { maxBytes: 1000 }), OffsetOutOfRangeError);
      // Far in the future everything but the active segment goes.
      clock.advance(1000 * HOUR);
      await deleteOldSegments(log);
      assert.equal(log.segments.length, 1);
      assert.equal(log.logStartOffset, log.activeSegment.baseOffset);
      const files = (await readdir(dir)).filter((f) => f.endsWith('.log'));
      assert.equal(files.length, 1);
      await log.close();
    }));

  it('retention.bytes keeps the log under the limit and keeps unreplicated data', () =>
    withTempDir(async (dir) => {
      const log = await Log.open({
        dir,
        topicPartition: tp,
        config: { segmentBytes: 300, retentionBytes: 700, retentionMs: Number.POSITIVE_INFINITY },
      });
      for (let i = 0; i < 20; i++) await log.append(makeBatch([{ key: `k${i}`, value: 'x'.repeat(100) }]));
      // High watermark 0: nothing may go yet.
      assert.equal(await deleteOldSegments(log), 0);
      log.updateHighWatermark(log.logEndOffset);
      assert.ok((await deleteOldSegments(log)) > 0);
      assert.ok(log.size - log.activeSegment.size <= 700);
      await log.close();
    }));

  it('DeleteRecords advances logStartOffset and drops whole segments below it', () =>
    withTempDir(async (dir) => {
      const log = await Log.open({ dir, topicPartition: tp, config: { segmentBytes: 300 } });
      for (let i = 0; i < 20; i++) await log.append(makeBatch([{ key: `k${i}`, value: 'x'.repeat(100) }]));
      await assert.rejects(log.deleteRecordsTo(5), OffsetOutOfRangeError);
      log.updateHighWatermark(20);
      assert.equal(await log.deleteRecordsTo(7), 7);
      assert.equal(log.logStartOffset, 7);
      assert.ok(log.segments[0]!.baseOffset <= 7);
      assert.ok(log.segments[1]!.baseOffset > 7);
      await assert.rejects(log.read(6, { maxBytes: 1000 }), OffsetOutOfRangeError);
      const recs = await readAll(log, 7);
      assert.equal(recs[0]!.offset, 7);
      await log.close();
    }));
});

describe('LogManager', () => {
  it('runs retention on its schedule with a fake clock and checkpoints offsets', () =>
    withTempDir(async (root) => {
      const clock = new ManualClock(1_000_000_000_000);
      const dirs = [join(root, 'd1'), join(root, 'd2')];
      const m = await LogManager.start({
        logDirs: dirs,
        clock,
        defaultConfig: { segmentBytes: 300, retentionMs: 2 * HOUR },
        retentionCheckIntervalMs: 60_000,
        metaProperties: { version: '0', 'broker.id': '1', 'cluster.id': 'c1' },
      });
      const a = await m.getOrCreateLog({ topic: 'a', partition: 0 });
      const b = await m.getOrCreateLog({ topic: 'a', partition: 1 });
      assert.notEqual(a.dir.split('/').at(-2), b.dir.split('/').at(-2), 'spread over log dirs');
      for (let i = 0; i < 10; i++)
        await a.append(makeBatch([{ key: `k${i}`, value: 'x'.repeat(100), timestamp: clock.now() }]));
      a.updateHighWatermark(a.logEndOffset);
      const segs = a.segments.length;
      clock.advance(3 * HOUR);
      await m.idle();
      assert.equal(a.segments.length, 1);
      assert.ok(segs > 1);
      await m.shutdown();
      const props = await readFile(join(dirs[0]!, 'meta.properties'), 'utf8');
      assert.match(props, /broker\.id=1/);
      const dirOfA = a.dir.split('/').slice(0, -1).join('/');
      const lso = await readFile(join(dirOfA, 'log-start-offset-checkpoint'), 'utf8');
      assert.equal(lso, `0\n1\na 0 ${a.logStartOffset}\n`);
      assert.equal(await readFile(join(dirOfA, 'replication-offset-checkpoint'), 'utf8'), `0\n1\na 0 10\n`);
      await readFile(join(dirOfA, CLEAN_SHUTDOWN_FILE));

      const again = await LogManager.start({ logDirs: dirs, clock, defaultConfig: { segmentBytes: 300 } });
      assert.equal(again.hadCleanShutdown.get(dirs[0]!), true);
      const a2 = again.getLog({ topic: 'a', partition: 0 })!;
      assert.equal(a2.logStartOffset, a.logStartOffset);
      assert.equal(a2.logEndOffset, 10);
      assert.equal(a2.highWatermark, 10);
      await assert.rejects(readFile(join(dirOfA, CLEAN_SHUTDOWN_FILE)), { code: 'ENOENT' });
      await again.shutdown();
    }));
});
