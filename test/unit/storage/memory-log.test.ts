import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/common/clock.js';
import { OffsetOutOfRangeError } from '../../../src/storage/errors.js';
import { MemoryLog } from '../../../src/storage/memory/memory-log.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from '../../../src/storage/log/types.js';
import { makeBatch, readAll, recordsOf } from '../../support/storage-batches.js';

describe('MemoryLog', () => {
  it('behaves like the disk log for append, read, timestamps, truncation and DeleteRecords', async () => {
    const log = new MemoryLog({ topic: 't', partition: 0 }, { messageTimestampType: 'CreateTime' }, new ManualClock());
    for (let i = 0; i < 10; i++)
      await log.append(
        makeBatch([
          { key: `k${i}`, timestamp: 100 + i },
          { key: `j${i}`, timestamp: 100 + i },
        ]),
        { leaderEpoch: 1 },
      );
    assert.equal(log.logEndOffset, 20);
    const one = await log.read(5, { maxBytes: 1 });
    assert.deepEqual(
      recordsOf(one.records).map((r) => r.offset),
      [4, 5],
    );
    assert.equal((await readAll(log)).length, 20);
    assert.equal((await log.read(0, { maxBytes: 1 << 20, maxOffset: 4 })).records.length > 0, true);
    assert.deepEqual(await log.fetchOffsetByTimestamp(105), { timestamp: 105, offset: 10, leaderEpoch: 1 });
    assert.equal((await log.fetchOffsetByTimestamp(LATEST_TIMESTAMP))!.offset, 20);
    await log.truncateTo(8);
    assert.equal(log.logEndOffset, 8);
    log.updateHighWatermark(8);
    await log.deleteRecordsTo(4);
    assert.equal((await log.fetchOffsetByTimestamp(EARLIEST_TIMESTAMP))!.offset, 4);
    await assert.rejects(log.read(2, { maxBytes: 10 }), OffsetOutOfRangeError);
    assert.equal((await log.append(makeBatch([{ key: 'x' }]))).firstOffset, 8);
  });

  it('gives appends issued together distinct offsets, in call order', async () => {
    const log = new MemoryLog({ topic: 't', partition: 0 });
    const infos = await Promise.all(
      Array.from({ length: 10 }, (_, i) => log.append(makeBatch([{ key: `k${i}` }]), { leaderEpoch: 3 })),
    );
    assert.deepEqual(
      infos.map((i) => i.firstOffset),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.deepEqual(
      (await readAll(log)).map((r) => r.key),
      Array.from({ length: 10 }, (_, i) => `k${i}`),
    );
  });
});
