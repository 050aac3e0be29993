// Produce v3+ request rules: one batch per partition (INVALID_RECORD), message.timestamp.*.max.ms
// (INVALID_TIMESTAMP), and InitProducerId advertised by ApiVersions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Broker, startBroker } from '../../../src/broker/broker.js';
import { ApiKeys } from '../../../src/protocol/messages/index.js';
import { encodeRecordBatch } from '../../../src/protocol/records/encode.js';
import { RawKafkaClient } from './raw-client.js';
import * as req from './requests.js';

const ERR = { NONE: 0, INVALID_TIMESTAMP: 32, INVALID_RECORD: 87 };
let broker: Broker;
let client: RawKafkaClient;

before(async () => {
  broker = await startBroker({ port: 0, storage: 'memory' });
  client = await RawKafkaClient.connect(broker.bootstrapServers);
  await client.request(
    ApiKeys.CreateTopics,
    7,
    req.createTopics([
      { name: 'rules', numPartitions: 2 },
      {
        name: 'recent',
        configs: { 'message.timestamp.before.max.ms': '3600000', 'message.timestamp.after.max.ms': '60000' },
      },
    ]),
  );
});
after(async () => {
  client.close();
  await broker.close();
});

async function produceTo(topic: string, partition: number, records: Buffer) {
  const res = await client.request(ApiKeys.Produce, 9, req.produce(topic, partition, records));
  return res.responses[0].partitionResponses[0];
}

describe('Produce v3+ rules', () => {
  it('refuses several batches, or none, for one partition with INVALID_RECORD and appends nothing', async () => {
    const two = Buffer.concat([req.batch(['a']), req.batch(['b'])]);
    const res = await client.request(ApiKeys.Produce, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10000,
      topicData: [
        {
          name: 'rules',
          partitionData: [
            { index: 0, records: two },
            { index: 1, records: req.batch(['c']) },
          ],
        },
      ],
    });
    const [p0, p1] = res.responses[0].partitionResponses;
    assert.equal(p0.errorCode, ERR.INVALID_RECORD);
    assert.match(p0.errorMessage, /exactly one record batch/);
    assert.equal(p1.errorCode, ERR.NONE, 'other partitions of the request are unaffected');
    assert.equal((await produceTo('rules', 0, Buffer.alloc(0))).errorCode, ERR.INVALID_RECORD);
    assert.equal(broker.context.replicas.getPartition('rules', 0)!.logEndOffset, 0);
  });

  it('refuses CreateTime batches outside message.timestamp.before/after.max.ms with INVALID_TIMESTAMP', async () => {
    const now = Date.now();
    const batchAt = (...timestamps: number[]) =>
      encodeRecordBatch({ records: timestamps.map((timestamp) => ({ value: Buffer.from('v'), timestamp })) });
    assert.equal((await produceTo('recent', 0, batchAt(now - 2 * 3600_000))).errorCode, ERR.INVALID_TIMESTAMP);
    assert.equal(
      (await produceTo('recent', 0, batchAt(now - 2 * 3600_000, now))).errorCode,
      ERR.INVALID_TIMESTAMP,
      'an old first record is enough',
    );
    assert.equal((await produceTo('recent', 0, batchAt(now + 10 * 60_000))).errorCode, ERR.INVALID_TIMESTAMP);
    assert.equal((await produceTo('recent', 0, batchAt(now - 60_000, now))).errorCode, ERR.NONE);
  });

  it('ApiVersions advertises InitProducerId 0-5', async () => {
    const res = await client.request(ApiKeys.ApiVersions, 3, {
      clientSoftwareName: 'test',
      clientSoftwareVersion: '1.0',
    });
    const ipi = res.apiKeys.find((k: { apiKey: number }) => k.apiKey === ApiKeys.InitProducerId);
    assert.deepEqual(ipi, { apiKey: 22, minVersion: 0, maxVersion: 5 });
  });
});
