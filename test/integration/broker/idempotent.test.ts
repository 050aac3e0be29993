// InitProducerId and idempotent Produce over a real socket, with hand-built batches.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Broker, startBroker } from '../../../src/broker/broker.js';
import { ApiKeys } from '../../../src/protocol/messages/index.js';
import { decodeRecordBatches } from '../../../src/protocol/records/decode.js';
import { encodeRecordBatch } from '../../../src/protocol/records/encode.js';
import { RawKafkaClient } from './raw-client.js';
import * as req from './requests.js';

const ERR = {
  NONE: 0,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
};

const initProducerId = (transactionalId: string | null = null) => ({
  transactionalId,
  transactionTimeoutMs: 60000,
  producerId: -1n,
  producerEpoch: -1,
});

function idem(producerId: bigint, producerEpoch: number, baseSequence: number, values: string[]): Buffer {
  return encodeRecordBatch({
    producerId,
    producerEpoch,
    baseSequence,
    records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
  });
}

let broker: Broker;
let client: RawKafkaClient;

before(async () => {
  broker = await startBroker({ port: 0, storage: 'memory' });
  client = await RawKafkaClient.connect(broker.bootstrapServers);
  await client.request(ApiKeys.CreateTopics, 7, req.createTopics([{ name: 'idem' }]));
});
after(async () => {
  client.close();
  await broker.close();
});

async function produce(records: Buffer) {
  const res = await client.request(ApiKeys.Produce, 9, req.produce('idem', 0, records));
  return res.responses[0].partitionResponses[0];
}

describe('idempotent producer', () => {
  it('InitProducerId hands out distinct ids with epoch 0 at every version', async () => {
    const ids = new Set<bigint>();
    for (const v of [0, 1, 2, 3, 4, 5]) {
      const res = await client.request(ApiKeys.InitProducerId, v, initProducerId());
      assert.equal(res.errorCode, ERR.NONE);
      assert.equal(res.producerEpoch, 0);
      ids.add(res.producerId);
    }
    assert.equal(ids.size, 6);
  });

  it('refuses transactional ids at once (transactions are not implemented)', async () => {
    const res = await client.request(ApiKeys.InitProducerId, 4, initProducerId('tx-1'));
    assert.equal(res.errorCode, ERR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  });

  it('a resent batch gets its original offset and is stored once; gaps and stale epochs are refused', async () => {
    const { producerId } = await client.request(ApiKeys.InitProducerId, 4, initProducerId());
    const first = idem(producerId, 0, 0, ['a', 'b']);
    const r1 = await produce(Buffer.from(first));
    assert.equal(r1.errorCode, ERR.NONE);
    const r2 = await produce(Buffer.from(first));
    assert.equal(r2.errorCode, ERR.NONE);
    assert.equal(r2.baseOffset, r1.baseOffset);
    assert.equal((await produce(idem(producerId, 0, 2, ['c']))).baseOffset, r1.baseOffset + 2n);

    const gap = await produce(idem(producerId, 0, 7, ['x']));
    assert.equal(gap.errorCode, ERR.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await produce(idem(producerId, 1, 0, ['d']))).errorCode, ERR.NONE, 'new epoch from sequence 0');
    assert.equal((await produce(idem(producerId, 0, 3, ['y']))).errorCode, ERR.INVALID_PRODUCER_EPOCH);

    const f = await client.request(
      ApiKeys.Fetch,
      12,
      req.fetch([{ topic: 'idem', partition: 0, offset: Number(r1.baseOffset) }]),
    );
    const values = decodeRecordBatches(f.responses[0].partitions[0].records).flatMap((b) =>
      b.records.map((r) => r.value!.toString()),
    );
    assert.deepEqual(values, ['a', 'b', 'c', 'd']);
  });
});

describe('producer ids across restarts', () => {
  it('are never handed out twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vltava-pid-'));
    try {
      const seen: bigint[] = [];
      for (let round = 0; round < 2; round++) {
        const b = await startBroker({ port: 0, config: { 'log.dirs': dir } });
        const c = await RawKafkaClient.connect(b.bootstrapServers);
        for (let i = 0; i < 3; i++)
          seen.push((await c.request(ApiKeys.InitProducerId, 4, initProducerId())).producerId);
        c.close();
        await b.close();
      }
      assert.equal(new Set(seen).size, 6);
      assert.ok(seen[3]! > seen[2]!, 'the second run starts after the first run’s block');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
