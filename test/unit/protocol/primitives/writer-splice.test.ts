import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeFetchResponse,
  encodeFetchResponse,
  type FetchResponse,
} from '../../../../src/protocol/messages/index.js';
import { Reader, Writer } from '../../../../src/protocol/primitives/index.js';

const partition = (records: Buffer) => ({
  partitionIndex: 0,
  errorCode: 0,
  highWatermark: 1n,
  lastStableOffset: 1n,
  logStartOffset: 0n,
  divergingEpoch: { epoch: -1, endOffset: -1n },
  currentLeader: { leaderId: -1, leaderEpoch: -1 },
  snapshotId: { endOffset: -1n, epoch: -1 },
  abortedTransactions: null,
  preferredReadReplica: -1,
  records,
});

describe('Writer splicing', () => {
  it('hands large byte fields over by reference and produces the same bytes as copying', () => {
    const big1 = Buffer.alloc(10_000, 1);
    const big2 = Buffer.alloc(20_000, 2);
    const small = Buffer.alloc(100, 3);
    const res: FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      nodeEndpoints: [],
      responses: [
        { topic: 't', topicId: Buffer.alloc(16), partitions: [partition(big1), partition(small), partition(big2)] },
      ],
    };
    for (const v of [4, 12, 16]) {
      const copied = new Writer();
      encodeFetchResponse(res, v, copied);
      const spliced = new Writer(64, { spliceMinBytes: 8192 });
      encodeFetchResponse(res, v, spliced);
      const chunks = spliced.finishChunks() as Buffer[];
      assert.ok(Array.isArray(chunks));
      assert.ok(chunks.includes(big1) && chunks.includes(big2), 'the same Buffer objects, not copies');
      assert.ok(!chunks.includes(small));
      assert.deepEqual(Buffer.concat(chunks), copied.finish());
      assert.deepEqual(spliced.finish(), copied.finish());
      const back = decodeFetchResponse(new Reader(Buffer.concat(chunks)), v);
      assert.deepEqual(back.responses[0]!.partitions[2]!.records, big2);
    }
  });

  it('returns one Buffer when nothing was spliced', () => {
    const w = new Writer(8, { spliceMinBytes: 8192 });
    w.bytes(Buffer.alloc(100));
    assert.ok(Buffer.isBuffer(w.finishChunks()));
  });
});
