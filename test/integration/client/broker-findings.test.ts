/**
 * Broker bugs found while testing the client, as minimal regression tests against the raw protocol.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startBroker } from '../../../src/broker/broker.js';
import { Connection } from '../../../src/client/net/connection.js';
import { ApiKeys } from '../../../src/protocol/messages/index.js';
import { encodeRecordBatch } from '../../../src/protocol/records/encode.js';

it("storage: 'memory' assigns distinct offsets to pipelined Produce requests for one partition", async () => {
  const broker = await startBroker({ port: 0, storage: 'memory', config: { 'auto.create.topics.enable': true } });
  const [host, port] = broker.bootstrapServers.split(':');
  const c = await Connection.connect({ host: host!, port: Number(port) });
  try {
    await c.request(ApiKeys.Metadata, {
      topics: [{ topicId: Buffer.alloc(16), name: 't' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const produce = (i: number) => ({
      transactionalId: null,
      acks: 1,
      timeoutMs: 2000,
      topicData: [
        {
          name: 't',
          partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: Buffer.from(`v${i}`) }] }) }],
        },
      ],
    });
    const res = await Promise.all(Array.from({ length: 10 }, (_, i) => c.request(ApiKeys.Produce, produce(i))));
    const offsets = res.map((r) => Number(r.responses[0].partitionResponses[0].baseOffset));
    assert.deepEqual(offsets, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  } finally {
    await c.close();
    await broker.close();
  }
});
