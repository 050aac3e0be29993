// Fetch responses carry stored batches as their own buffers (no copy into the response): the
// bytes a client receives must still be exactly the framed response, for disk and memory logs.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startBroker } from '../../../src/broker/broker.js';
import { ApiKeys } from '../../../src/protocol/messages/index.js';
import { decodeRecordBatches } from '../../../src/protocol/records/decode.js';
import { RawKafkaClient } from './raw-client.js';
import * as req from './requests.js';

describe('fetch of large batches', () => {
  for (const storage of ['disk', 'memory'] as const) {
    it(`returns them intact from ${storage} storage, several partitions in one response`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'vltava-splice-'));
      const broker = await startBroker({ port: 0, storage, config: { 'log.dirs': dir } });
      const client = await RawKafkaClient.connect(broker.bootstrapServers);
      try {
        await client.request(ApiKeys.CreateTopics, 7, req.createTopics([{ name: 'big', numPartitions: 2 }]));
        const values = (p: number, i: number) => `${p}:${i}:${'x'.repeat(30_000)}`;
        for (const p of [0, 1]) {
          for (let i = 0; i < 3; i++)
            await client.request(ApiKeys.Produce, 9, req.produce('big', p, req.batch([values(p, i)])));
        }
        await client.request(ApiKeys.Produce, 9, req.produce('big', 1, req.batch(['small'])));
        const f = await client.request(
          ApiKeys.Fetch,
          12,
          req.fetch([
            { topic: 'big', partition: 0, offset: 0 },
            { topic: 'big', partition: 1, offset: 0 },
          ]),
        );
        const got = f.responses[0].partitions.map((pd: { records: Buffer }) =>
          decodeRecordBatches(pd.records).flatMap((b) => b.records.map((r) => r.value!.toString())),
        );
        assert.deepEqual(got[0], [values(0, 0), values(0, 1), values(0, 2)]);
        assert.deepEqual(got[1], [values(1, 0), values(1, 1), values(1, 2), 'small']);
      } finally {
        client.close();
        await broker.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
