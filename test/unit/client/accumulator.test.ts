import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordAccumulator } from '../../../src/client/producer/accumulator.js';
import type { ClientError } from '../../../src/client/errors.js';

const rec = (n: number) => ({ value: Buffer.alloc(n), timestamp: 1 });
const opts = { batchSize: 1000, lingerMs: 60_000, bufferMemory: 10_000, maxBlockMs: 50, deliveryTimeoutMs: 120_000 };

describe('record accumulator', () => {
  it('fills a batch up to batch.size, then opens the next and signals ready', () => {
    const acc = new RecordAccumulator(opts);
    let ready = 0;
    acc.onReady = () => ready++;
    for (let i = 0; i < 5; i++) acc.append('t', 0, rec(290)).catch(() => {});
    assert.ok(ready > 0, 'a full batch wakes the sender');
    const { batches } = acc.drain(Date.now(), () => true);
    assert.equal(batches.length, 1, 'one head batch per partition per drain');
    assert.equal(batches[0]!.records.length, 3);
    const second = acc.drain(Date.now(), () => true).batches;
    assert.equal(second.length, 0, 'the open tail batch waits for linger.ms');
    assert.equal(acc.drain(Date.now() + 60_001, () => true).batches[0]!.records.length, 2);
    acc.stop();
  });

  it('a flush makes lingering batches ready', () => {
    const acc = new RecordAccumulator(opts);
    acc.append('t', 1, rec(10)).catch(() => {});
    assert.equal(acc.drain(Date.now(), () => true).batches.length, 0);
    acc.beginFlush();
    assert.equal(acc.drain(Date.now(), () => true).batches.length, 1);
    acc.stop();
  });

  it('re-enqueued batches go before younger batches of the same partition', () => {
    const acc = new RecordAccumulator({ ...opts, batchSize: 100 });
    for (let i = 0; i < 3; i++) acc.append('t', 0, rec(80)).catch(() => {});
    const [first] = acc.drain(Date.now(), () => true).batches;
    acc.reenqueue(first!);
    const [again] = acc.drain(Date.now(), () => true).batches;
    assert.equal(again!.id, first!.id);
    assert.equal(acc.hasEarlierQueued(again!), false);
    acc.stop();
  });

  it('applies backpressure at buffer.memory and fails after max.block.ms', async () => {
    const acc = new RecordAccumulator({ ...opts, bufferMemory: 1000 });
    acc.append('t', 0, rec(900)).catch(() => {});
    assert.equal(acc.writable, true);
    const blocked = acc.append('t', 0, rec(500));
    assert.equal(acc.writable, false);
    await assert.rejects(blocked, (e: ClientError) => e.code === 'ERR_CLIENT_BUFFER_FULL');
    acc.stop();
  });

  it('frees space when a batch is released, waking a blocked append', async () => {
    const acc = new RecordAccumulator({ ...opts, bufferMemory: 1000, maxBlockMs: 10_000 });
    const first = acc.append('t', 0, rec(900));
    let appended = false;
    const blocked = acc.append('t', 0, rec(500)).catch(() => {});
    void blocked;
    const space = acc.waitForSpace().then(() => (appended = true));
    acc.beginFlush();
    const [b] = acc.drain(Date.now(), () => true).batches;
    b!.complete(0, -1);
    acc.release(b!);
    await space;
    assert.equal(appended, true);
    assert.equal((await first).offset, 0);
    acc.stop();
  });
});

describe('batch splitting', () => {
  it('halves keep the original place in the partition order and release exactly the original bytes', () => {
    const acc = new RecordAccumulator({ ...opts, batchSize: 100_000 });
    for (let i = 0; i < 5; i++) acc.append('t', 0, rec(100)).catch(() => {});
    acc.beginFlush();
    const [big] = acc.drain(Date.now(), () => true).batches;
    for (let i = 0; i < 2; i++) acc.append('t', 0, rec(100)).catch(() => {});
    const [a, b] = big!.split();
    const [a1, a2] = a.split();
    for (const x of [b, a2, a1]) acc.reenqueue(x);
    const order: number[] = [];
    for (
      let batch = acc.drain(Date.now(), () => true).batches[0];
      batch;
      batch = acc.drain(Date.now(), () => true).batches[0]
    ) {
      order.push(batch.records.length);
      acc.release(batch);
    }
    assert.deepEqual(order, [2, 1, 2, 2], 'a1, a2, b, then the younger batch');
    assert.equal(acc.bufferedBytes, 0);
    acc.stop();
  });
});
