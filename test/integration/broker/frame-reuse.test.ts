// Large Produce frames come from a pool and are reused once their append has settled (disk logs)
// or never (memory logs): pipelined large requests over two connections must all be stored
// exactly as sent, whichever frame buffer carried them.
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

describe('reuse of large Produce frames', () => {
  for (const storage of ['disk', 'memory'] as const) {
    it(`stores every pipelined large batch intact (${storage} storage)`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'vltava-frame-reuse-'));
      const broker = await startBroker({ port: 0, storage, config: { 'log.dirs': dir } });
      const clients = [
        await RawKafkaClient.connect(broker.bootstrapServers),
        await RawKafkaClient.connect(broker.bootstrapServers),
      ];
      try {
        await clients[0]!.request(ApiKeys.CreateTopics, 7, req.createTopics([{ name: 'big', numPartitions: 2 }]));
        const value = (p: number, i: number) =>
          `${p}:${i}:${String.fromCharCode(97 + ((p * 7 + i) % 26)).repeat(200_000 + i * 1000)}`;
        const rounds = 12;
        // Several requests in flight per connection, acks 1 and -1, so frames are freed and
        // reacquired while other appends are still queued.
        const sent: Array<Promise<unknown>> = [];
        for (let i = 0; i < rounds; i++) {
          for (const p of [0, 1])
            sent.push(
              clients[p]!.request(
                ApiKeys.Produce,
                9,
                req.produce('big', p, req.batch([value(p, i)]), i % 2 === 0 ? 1 : -1),
              ),
            );
        }
        await Promise.all(sent);
        for (const p of [0, 1]) {
          const got: string[] = [];
          while (got.length < rounds) {
            const f = await clients[0]!.request(
              ApiKeys.Fetch,
              12,
              req.fetch([{ topic: 'big', partition: p, offset: got.length }]),
            );
            const records = f.responses[0].partitions[0].records as Buffer;
            for (const b of decodeRecordBatches(records)) for (const r of b.records) got.push(r.value!.toString());
          }
          assert.deepEqual(
            got,
            Array.from({ length: rounds }, (_, i) => value(p, i)),
          );
        }
      } finally {
        for (const c of clients) c.close();
        await broker.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
