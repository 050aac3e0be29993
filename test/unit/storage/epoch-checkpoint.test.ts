import assert from 'node:assert/strict';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/common/clock.js';
import { readOffsetCheckpoint, writeOffsetCheckpoint } from '../../../src/storage/checkpoint/checkpoint-file.js';
import { LogCleaner } from '../../../src/storage/cleaner/log-cleaner.js';
import { LeaderEpochCache } from '../../../src/storage/epoch/leader-epoch-cache.js';
import { InvalidCheckpointError } from '../../../src/storage/errors.js';
import { Log } from '../../../src/storage/log/log.js';
import { LogManager } from '../../../src/storage/log/log-manager.js';
import { makeBatch, readAll, withTempDir } from '../../support/storage-batches.js';

describe('LeaderEpochCache', () => {
  it('answers endOffsetFor as Kafka does and persists in Kafka format', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'leader-epoch-checkpoint');
      const c = await LeaderEpochCache.load(path);
      await c.assign(1, 0);
      await c.assign(1, 5); // same epoch: no-op
      await c.assign(3, 10);
      await c.assign(4, 20);
      assert.equal(await readFile(path, 'utf8'), '0\n3\n1 0\n3 10\n4 20\n');
      assert.deepEqual(c.endOffsetFor(4, 30), { epoch: 4, endOffset: 30 });
      assert.deepEqual(c.endOffsetFor(2, 30), { epoch: 1, endOffset: 10 });
      assert.deepEqual(c.endOffsetFor(0, 30), { epoch: 0, endOffset: 0 });
      assert.deepEqual(c.endOffsetFor(5, 30), { epoch: -1, endOffset: -1 });
      assert.equal(c.epochForOffset(15), 3);
      await c.truncateFromEnd(15);
      assert.deepEqual(c.all, [
        { epoch: 1, startOffset: 0 },
        { epoch: 3, startOffset: 10 },
      ]);
      await c.truncateFromStart(12);
      assert.deepEqual(c.all, [{ epoch: 3, startOffset: 12 }]);
      assert.deepEqual((await LeaderEpochCache.load(path)).all, [{ epoch: 3, startOffset: 12 }]);
      // A lower epoch with a later offset replaces non-monotonic entries.
      await c.assign(2, 13);
      assert.deepEqual(c.all, [{ epoch: 2, startOffset: 13 }]);
    }));
});

describe('checkpoint files', () => {
  it('round-trip Kafka offset checkpoints and reject malformed ones', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'recovery-point-offset-checkpoint');
      await writeOffsetCheckpoint(path, [
        { tp: { topic: 'a.b-c', partition: 3 }, offset: 42 },
        { tp: { topic: 'x', partition: 0 }, offset: 0 },
      ]);
      assert.equal(await readFile(path, 'utf8'), '0\n2\na.b-c 3 42\nx 0 0\n');
      const m = await readOffsetCheckpoint(path);
      assert.equal(m.get('a.b-c-3')!.offset, 42);
      await writeFile(path, '0\n3\na 0 1\n');
      await assert.rejects(readOffsetCheckpoint(path), InvalidCheckpointError);
      assert.equal((await readOffsetCheckpoint(join(dir, 'missing'))).size, 0);
    }));
});

describe('compaction crash safety', () => {
  it('a .swap left next to its originals replaces them on load', () =>
    withTempDir(async (dir) => {
      const clock = new ManualClock();
      const tp = { topic: 'c', partition: 0 };
      const config = { cleanupPolicy: 'compact' as const, segmentBytes: 300 };
      const log = await Log.open({ dir, topicPartition: tp, clock, config });
      for (let i = 0; i < 20; i++) await log.append(makeBatch([{ key: `k${i % 3}`, value: `v${i}` }]));
      await log.roll();
      await new LogCleaner({ clock }).clean(log);
      const cleaned = await readAll(log);
      await log.close();
      // Simulate a crash after the swap was written but before the originals were replaced:
      // restore an original set by renaming the cleaned first segment back to .swap and
      // putting back a (fake) stale original with the same base offset.
      const first = '00000000000000000000';
      await rename(join(dir, `${first}.log`), join(dir, `${first}.log.swap`));
      await writeFile(join(dir, `${first}.log`), makeBatch([{ key: 'stale', value: 'stale' }]));
      const reopened = await Log.open({ dir, topicPartition: tp, clock, config });
      assert.deepEqual(await readAll(reopened), cleaned);
      await reopened.close();
    }));
});

describe('LogManager flush.ms', () => {
  it('flushes logs whose flush.ms elapsed, driven by the clock', () =>
    withTempDir(async (dir) => {
      const clock = new ManualClock();
      const m = await LogManager.start({
        logDirs: [dir],
        clock,
        defaultConfig: { flushMs: 5000 },
        flushCheckIntervalMs: 1000,
        cleanerEnabled: false,
      });
      const log = await m.getOrCreateLog({ topic: 'f', partition: 0 });
      await log.append(makeBatch([{ key: 'a' }]));
      assert.equal(log.recoveryPoint, 0);
      clock.advance(1000);
      await m.idle();
      assert.equal(log.recoveryPoint, 0);
      clock.advance(5000);
      await m.idle();
      assert.equal(log.recoveryPoint, 1);
      await m.shutdown();
    }));
});
