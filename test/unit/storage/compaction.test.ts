import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/common/clock.js';
import { LogCleaner } from '../../../src/storage/cleaner/log-cleaner.js';
import { Log } from '../../../src/storage/log/log.js';
import { makeBatch, readAll, withTempDir } from '../../support/storage-batches.js';

const tp = { topic: 'compacted', partition: 0 };
const HOUR = 3600_000;

async function compactedLog(dir: string, clock: ManualClock): Promise<Log> {
  return Log.open({
    dir,
    topicPartition: tp,
    clock,
    config: { cleanupPolicy: 'compact', segmentBytes: 400, deleteRetentionMs: 24 * HOUR },
  });
}

describe('compaction', () => {
  it('keeps the last value per key with its original offset', () =>
    withTempDir(async (dir) => {
      const clock = new ManualClock(1_000_000_000_000);
      const log = await compactedLog(dir, clock);
      const expected = new Map<string, { offset: number; value: string }>();
      for (let i = 0; i < 60; i++) {
        const key = `k${i % 7}`;
        const value = `v${i}`;
        // Two records per batch so some batches are partially cleaned (re-encoded).
        const info = await log.append(
          makeBatch([
            { key, value, timestamp: clock.now() },
            { key: `u${i}`, value: 'once', timestamp: clock.now() },
          ]),
        );
        expected.set(key, { offset: info.firstOffset, value });
        expected.set(`u${i}`, { offset: info.firstOffset + 1, value: 'once' });
      }
      await log.roll();
      const segsBefore = log.segments.length;
      const cleaner = new LogCleaner({ clock });
      assert.ok(cleaner.cleanableInfo(log).ratio === 1);
      const stats = await cleaner.clean(log);
      assert.ok(stats.recordsRemoved > 0);
      const recs = await readAll(log);
      assert.deepEqual(
        recs.map((r) => [r.key, r.offset, r.value]),
        [...expected.entries()].sort((a, b) => a[1].offset - b[1].offset).map(([k, v]) => [k, v.offset, v.value]),
      );
      // A second pass leaves the same records.
      await cleaner.clean(log);
      assert.ok(log.segments.length <= segsBefore);
      assert.deepEqual(
        (await readAll(log)).map((r) => r.offset),
        recs.map((r) => r.offset),
      );
      // Offsets still resolve: a read at a removed offset starts at the next remaining one.
      const r = await log.read(0, { maxBytes: 100 });
      assert.ok(r.records.length > 0);
      assert.equal(cleaner.cleanableInfo(log).dirtyBytes, 0);
      // Nothing left in transit; new appends continue after the log end.
      const names = await readdir(dir);
      assert.ok(!names.some((n) => n.endsWith('.cleaned') || n.endsWith('.swap') || n.endsWith('.deleted')));
      assert.equal((await log.append(makeBatch([{ key: 'k0', value: 'new' }]))).firstOffset, 120);
      await log.close();
      // And the compacted log reopens (unclean) intact.
      const reopened = await compactedLog(dir, clock);
      assert.equal((await readAll(reopened)).length, recs.length + 1);
      await reopened.close();
    }));

  it('drops tombstones only after delete.retention.ms, and the values they delete at once', () =>
    withTempDir(async (dir) => {
      const clock = new ManualClock(1_000_000_000_000);
      const log = await compactedLog(dir, clock);
      await log.append(makeBatch([{ key: 'a', value: 'a1', timestamp: clock.now() }]));
      await log.append(makeBatch([{ key: 'b', value: 'b1', timestamp: clock.now() }]));
      await log.append(makeBatch([{ key: 'a', value: null, timestamp: clock.now() }]));
      await log.roll();
      const cleaner = new LogCleaner({ clock });
      await cleaner.clean(log);
      assert.deepEqual(
        (await readAll(log)).map((r) => [r.key, r.value, r.offset]),
        [
          ['b', 'b1', 1],
          ['a', null, 2],
        ],
      );
      clock.advance(25 * HOUR);
      await log.append(makeBatch([{ key: 'c', value: 'c1', timestamp: clock.now() }]));
      await log.roll();
      await cleaner.clean(log);
      assert.deepEqual(
        (await readAll(log)).map((r) => [r.key, r.value, r.offset]),
        [
          ['b', 'b1', 1],
          ['c', 'c1', 3],
        ],
      );
      await log.close();
    }));

  it('never touches the active segment and respects min.cleanable.dirty.ratio', () =>
    withTempDir(async (dir) => {
      const clock = new ManualClock(1_000_000_000_000);
      const log = await Log.open({
        dir,
        topicPartition: tp,
        clock,
        config: { cleanupPolicy: 'compact', minCleanableDirtyRatio: 0.5 },
      });
      for (let i = 0; i < 10; i++) await log.append(makeBatch([{ key: 'same', value: `v${i}` }]));
      const cleaner = new LogCleaner({ clock });
      assert.equal(await cleaner.cleanDirtiest([log]), false, 'all data is in the active segment');
      assert.equal((await readAll(log)).length, 10);
      await log.roll();
      assert.equal(await cleaner.cleanDirtiest([log]), true);
      assert.deepEqual(
        (await readAll(log)).map((r) => r.value),
        ['v9'],
      );
      // Many small segments of one key: cleaned output is merged into one segment per group.
      for (let i = 0; i < 6; i++) {
        await log.append(makeBatch([{ key: 'same', value: `w${i}` }]));
        await log.roll();
      }
      assert.equal(log.segments.length, 8);
      await cleaner.clean(log);
      assert.equal(log.segments.length, 2);
      assert.deepEqual(
        (await readAll(log)).map((r) => [r.value, r.offset]),
        [['w5', 15]],
      );
      await log.close();
    }));

  it('appends proceed while a compaction pass runs', () =>
    withTempDir(async (dir) => {
      const clock = new ManualClock(1_000_000_000_000);
      const log = await compactedLog(dir, clock);
      for (let i = 0; i < 200; i++) await log.append(makeBatch([{ key: `k${i % 5}`, value: `v${i}` }]));
      await log.roll();
      const cleaner = new LogCleaner({ clock });
      const cleaning = cleaner.clean(log);
      const appends = await Promise.all(
        Array.from({ length: 20 }, (_, i) => log.append(makeBatch([{ key: `n${i}`, value: 'x' }]))),
      );
      await cleaning;
      assert.deepEqual(
        appends.map((a) => a.firstOffset),
        Array.from({ length: 20 }, (_, i) => 200 + i),
      );
      const recs = await readAll(log);
      assert.deepEqual(
        recs.map((r) => r.key),
        ['k0', 'k1', 'k2', 'k3', 'k4', ...appends.map((_, i) => `n${i}`)],
      );
      await log.close();
    }));
});
