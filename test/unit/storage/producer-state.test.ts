import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { encodeRecordBatch } from '../../../src/protocol/records/encode.js';
import { OutOfOrderSequenceError, InvalidProducerEpochError } from '../../../src/storage/errors.js';
import { Log } from '../../../src/storage/log/log.js';
import type { PartitionLog } from '../../../src/storage/log/types.js';
import { MemoryLog } from '../../../src/storage/memory/memory-log.js';
import { ProducerStateManager, incrementSequence } from '../../../src/storage/producer-state/producer-state-manager.js';
import { decodeSnapshot, encodeSnapshot } from '../../../src/storage/producer-state/snapshot-file.js';
import { readAll, withTempDir } from '../../support/storage-batches.js';

const tp = { topic: 't', partition: 0 };

function idem(producerId: number, producerEpoch: number, baseSequence: number, n = 1): Buffer {
  return encodeRecordBatch({
    producerId,
    producerEpoch,
    baseSequence,
    records: Array.from({ length: n }, (_, i) => ({
      key: null,
      value: Buffer.from(`p${producerId}e${producerEpoch}s${baseSequence + i}`),
      timestamp: 1_700_000_000_000,
    })),
  });
}

const pb = (producerId: number, producerEpoch: number, baseSequence: number, lastOffsetDelta = 0) => ({
  producerId,
  producerEpoch,
  baseSequence,
  lastOffsetDelta,
  maxTimestamp: 1,
});

describe('ProducerStateManager', () => {
  it('accepts in-order sequences and remembers the last five batches', () => {
    const s = new ProducerStateManager('t-0');
    for (let i = 0; i < 7; i++) {
      s.validateClientBatches([pb(1, 0, i * 2, 1)], i * 2);
      s.update(pb(1, 0, i * 2, 1), i * 2);
    }
    assert.equal(s.lastEntry(1)!.batches.length, 5);
    assert.equal(s.findDuplicate(pb(1, 0, 12, 1))?.firstOffset, 12);
    assert.equal(s.findDuplicate(pb(1, 0, 0, 1)), undefined, 'the oldest batches are forgotten');
  });

  it('refuses gaps, a non-zero first sequence of a new epoch, and older epochs', () => {
    const s = new ProducerStateManager('t-0');
    s.update(pb(1, 3, 0, 4), 0);
    assert.throws(() => s.validateClientBatches([pb(1, 3, 6)], 5), OutOfOrderSequenceError);
    assert.throws(() => s.validateClientBatches([pb(1, 4, 5)], 5), OutOfOrderSequenceError);
    assert.throws(() => s.validateClientBatches([pb(1, 2, 5)], 5), InvalidProducerEpochError);
    s.validateClientBatches([pb(1, 3, 5)], 5);
    s.validateClientBatches([pb(1, 4, 0)], 5);
    // Unknown producers (state lost, or never seen here): any sequence, as Kafka 2.5+.
    s.validateClientBatches([pb(2, 0, 42)], 5);
  });

  it('checks several batches of one append against each other', () => {
    const s = new ProducerStateManager('t-0');
    s.update(pb(1, 0, 0), 0);
    s.validateClientBatches([pb(1, 0, 1, 1), pb(1, 0, 3)], 1);
    assert.throws(() => s.validateClientBatches([pb(1, 0, 1, 1), pb(1, 0, 4)], 1), OutOfOrderSequenceError);
  });

  it('wraps sequences at 2^31-1', () => {
    assert.equal(incrementSequence(0x7fffffff, 1), 0);
    const s = new ProducerStateManager('t-0');
    s.update(pb(1, 0, 0x7ffffffe, 1), 0);
    s.validateClientBatches([pb(1, 0, 0)], 2);
  });

  it('forgets producers whose batches fall below the log start', () => {
    const s = new ProducerStateManager('t-0');
    s.update(pb(1, 0, 0), 0);
    s.update(pb(2, 0, 0), 1);
    s.truncateHead(1);
    assert.equal(s.lastEntry(1), undefined);
    assert.ok(s.lastEntry(2));
  });

  it('round-trips a snapshot in Kafka layout and refuses a corrupt one', () => {
    const s = new ProducerStateManager('t-0');
    s.update(pb(7, 2, 10, 3), 100);
    const buf = encodeSnapshot(s.entries());
    assert.equal(buf.length, 6 + 4 + 46);
    const [e] = decodeSnapshot(buf)!;
    assert.deepEqual(e!.batches, [{ firstSeq: 10, lastSeq: 13, firstOffset: 100, lastOffset: 103, timestamp: 1 }]);
    buf[buf.length - 1]! ^= 1;
    assert.equal(decodeSnapshot(buf), null);
  });
});

async function idempotentAppends(log: PartitionLog): Promise<void> {
  assert.equal((await log.append(idem(5, 0, 0, 2))).firstOffset, 0);
  assert.equal((await log.append(idem(5, 0, 2))).firstOffset, 2);
  const dup = await log.append(idem(5, 0, 0, 2));
  assert.equal(dup.firstOffset, 0, 'a retried batch gets its original offset');
  assert.equal(dup.lastOffset, 1);
  assert.equal(log.logEndOffset, 3, 'and is not appended again');
  await assert.rejects(log.append(idem(5, 0, 9)), OutOfOrderSequenceError);
  assert.equal((await log.append(idem(5, 1, 0))).firstOffset, 3, 'a new epoch starts at sequence 0');
  await assert.rejects(log.append(idem(5, 0, 3)), InvalidProducerEpochError);
  assert.equal(log.logEndOffset, 4);
}

describe('idempotent appends', () => {
  it('MemoryLog deduplicates retries and refuses bad sequences and stale epochs', async () => {
    await idempotentAppends(new MemoryLog(tp));
  });

  it('Log deduplicates retries and refuses bad sequences and stale epochs', async () => {
    await withTempDir(async (dir) => {
      const log = await Log.open({ dir, topicPartition: tp });
      await idempotentAppends(log);
      await log.close();
    });
  });

  it('a retry queued in the same append round as its original is answered with its offsets', async () => {
    await withTempDir(async (dir) => {
      const log = await Log.open({ dir, topicPartition: tp });
      const [a, b, c] = await Promise.all([
        log.append(idem(1, 0, 0)),
        log.append(idem(1, 0, 0)),
        log.append(idem(1, 0, 1)),
      ]);
      assert.deepEqual([a.firstOffset, b.firstOffset, c.firstOffset], [0, 0, 1]);
      assert.equal((await readAll(log)).length, 2);
      await log.close();
    });
  });

  it('after a clean shutdown the state comes back from the snapshot', async () => {
    await withTempDir(async (dir) => {
      let log = await Log.open({ dir, topicPartition: tp });
      await log.append(idem(3, 1, 0, 3));
      await log.close();
      assert.ok((await readdir(dir)).includes('00000000000000000003.snapshot'));
      log = await Log.open({ dir, topicPartition: tp, hadCleanShutdown: true });
      assert.equal((await log.append(idem(3, 1, 0, 3))).firstOffset, 0);
      await assert.rejects(log.append(idem(3, 1, 7)), OutOfOrderSequenceError);
      assert.equal((await log.append(idem(3, 1, 3))).firstOffset, 3);
      await log.close();
    });
  });

  it('after a crash the state is rebuilt from batch headers of the log tail', async () => {
    await withTempDir(async (dir) => {
      let log = await Log.open({ dir, topicPartition: tp, config: { segmentBytes: 300 } });
      for (let s = 0; s < 10; s++) await log.append(idem(4, 0, s));
      await log.closeUnclean();
      assert.ok(!(await readdir(dir)).some((f) => f.endsWith('.snapshot')));
      log = await Log.open({ dir, topicPartition: tp, config: { segmentBytes: 300 }, hadCleanShutdown: false });
      assert.ok(log.segments.length > 2);
      assert.equal((await log.append(idem(4, 0, 9))).firstOffset, 9, 'the last batch is a duplicate');
      await assert.rejects(log.append(idem(4, 0, 12)), OutOfOrderSequenceError);
      assert.equal((await log.append(idem(4, 0, 10))).firstOffset, 10);
      await log.close();
    });
  });

  it('truncation rebuilds the state so the removed batches are no longer duplicates', async () => {
    await withTempDir(async (dir) => {
      const log = await Log.open({ dir, topicPartition: tp });
      for (let s = 0; s < 3; s++) await log.append(idem(8, 0, s));
      await log.truncateTo(2);
      assert.equal((await log.append(idem(8, 0, 2))).firstOffset, 2, 'appended again, not deduplicated');
      await log.close();
    });
  });
});
