// Fetcher response handling without a broker: positions, partial batches, control records and
// read_committed filtering of aborted transactions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Fetcher, type FetcherOptions } from '../../../src/client/consumer/fetcher.js';
import type { Cluster } from '../../../src/client/net/cluster.js';
import type { FetchResponsePartitionData } from '../../../src/protocol/messages/index.js';
import { encodeEndTxnMarkerBatch } from '../../../src/protocol/records/control.js';
import { encodeRecordBatch } from '../../../src/protocol/records/encode.js';

const v = (s: string) => Buffer.from(s);
const log = Buffer.concat([
  encodeRecordBatch({
    baseOffset: 0,
    isTransactional: true,
    producerId: 1n,
    producerEpoch: 0,
    baseSequence: 0,
    records: [{ value: v('t1-a') }, { value: v('t1-b') }],
  }),
  encodeRecordBatch({ baseOffset: 2, records: [{ value: v('plain') }] }),
  encodeRecordBatch({
    baseOffset: 3,
    isTransactional: true,
    producerId: 2n,
    producerEpoch: 0,
    baseSequence: 0,
    records: [{ value: v('t2') }],
  }),
  encodeEndTxnMarkerBatch({
    baseOffset: 4,
    commit: false,
    producerId: 1n,
    producerEpoch: 0,
    coordinatorEpoch: 0,
    timestamp: 1,
  }),
  encodeEndTxnMarkerBatch({
    baseOffset: 5,
    commit: true,
    producerId: 2n,
    producerEpoch: 0,
    coordinatorEpoch: 0,
    timestamp: 1,
  }),
  encodeRecordBatch({
    baseOffset: 6,
    isTransactional: true,
    producerId: 1n,
    producerEpoch: 0,
    baseSequence: 2,
    records: [{ value: v('t1-next') }],
  }),
]);

function partitionData(
  records: Buffer,
  aborted: Array<{ producerId: bigint; firstOffset: bigint }> | null,
): FetchResponsePartitionData {
  return {
    partitionIndex: 0,
    errorCode: 0,
    highWatermark: 7n,
    lastStableOffset: 7n,
    logStartOffset: 0n,
    divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions: aborted,
    preferredReadReplica: -1,
    records,
  };
}

function fetcher(isolationLevel: 0 | 1): Fetcher {
  const o: FetcherOptions = {
    minBytes: 1,
    maxBytes: 1 << 20,
    maxWaitMs: 10,
    maxPartitionBytes: 1 << 20,
    isolationLevel,
    maxBufferedBytes: 1 << 20,
  };
  const f = new Fetcher({} as Cluster, o);
  f.assign([{ topic: 't', partition: 0 }]);
  f.state('t', 0)!.position = 0;
  return f;
}

// advance() is the fetcher's per-partition response step; it is private, so reach in for the test
const advance = (f: Fetcher, p: FetchResponsePartitionData) =>
  (f as unknown as { advance: (s: unknown, p: FetchResponsePartitionData) => (() => boolean) | undefined }).advance(
    f.state('t', 0),
    p,
  );
const values = (f: Fetcher) => f.take(100).flatMap((x) => x.records.map((r) => r.value!.toString()));

describe('fetcher', () => {
  it('read_committed drops aborted transactions and every control batch', () => {
    const f = fetcher(1);
    advance(f, partitionData(log, [{ producerId: 1n, firstOffset: 0n }]))!();
    assert.deepEqual(values(f), ['plain', 't2', 't1-next']);
    assert.equal(f.state('t', 0)!.position, 7);
  });

  it('read_uncommitted delivers aborted records but never control records', () => {
    const f = fetcher(0);
    advance(f, partitionData(log, [{ producerId: 1n, firstOffset: 0n }]))!();
    assert.deepEqual(values(f), ['t1-a', 't1-b', 'plain', 't2', 't1-next']);
  });

  it('stops before a partial batch at the end of a response and skips records before the position', () => {
    const f = fetcher(0);
    f.state('t', 0)!.position = 1;
    const cut = log.subarray(0, log.length - 10);
    advance(f, partitionData(cut, null))!();
    assert.deepEqual(values(f), ['t1-b', 'plain', 't2']);
    assert.equal(f.state('t', 0)!.position, 6, 'the cut batch at offset 6 is fetched again');
  });

  it('a damaged batch hands out the records before it, then holds the error and refetches from it', () => {
    const f = fetcher(0);
    const good = encodeRecordBatch({ baseOffset: 0, records: [{ value: v('a') }, { value: v('b') }] });
    const bad = encodeRecordBatch({ baseOffset: 2, records: [{ value: v('c') }] });
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff; // CRC mismatch
    advance(f, partitionData(Buffer.concat([good, bad]), null))!();
    assert.equal(f.state('t', 0)!.position, 3);
    assert.deepEqual(values(f), ['a', 'b']);
    const s = f.state('t', 0)!;
    assert.equal((s.error as { name?: string }).name, 'CORRUPT_MESSAGE');
    assert.equal(s.position, 2, 'the next fetch starts at the damaged batch');
    assert.deepEqual(values(f), [], 'nothing after the damaged batch is handed out');
  });

  it("'auto' partition fetch size shares half the buffer between 1 MiB and 8 MiB", () => {
    const MiB = 1024 * 1024;
    const sized = (partitions: number, maxBufferedBytes: number) => {
      const f = new Fetcher({} as Cluster, {
        minBytes: 1,
        maxBytes: 50 * MiB,
        maxWaitMs: 10,
        maxPartitionBytes: 'auto',
        isolationLevel: 0,
        maxBufferedBytes,
      });
      f.assign(Array.from({ length: partitions }, (_, partition) => ({ topic: 't', partition })));
      return (f as unknown as { partitionMaxBytes(): number }).partitionMaxBytes();
    };
    assert.equal(sized(1, 16 * MiB), 8 * MiB);
    assert.equal(sized(2, 16 * MiB), 4 * MiB);
    assert.equal(sized(100, 16 * MiB), MiB, "many partitions get Java's 1 MiB");
    assert.equal(sized(1, 256 * MiB), 8 * MiB, 'capped');
  });

  it('drops a decoded response when the partition was seeked in between', () => {
    const f = fetcher(0);
    const decode = advance(f, partitionData(log, null))!;
    f.state('t', 0)!.epoch++; // what seek() does
    assert.equal(decode(), false);
    assert.deepEqual(values(f), []);
  });
});
