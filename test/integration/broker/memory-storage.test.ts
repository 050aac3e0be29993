// startBroker({ storage: 'memory' }): MemoryLog partitions behind the same PartitionLog interface,
// and no files anywhere (neither log.dirs nor a temporary directory).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startBroker } from '../../../src/broker/broker.js';
import { ApiKeys } from '../../../src/protocol/messages/index.js';
import { decodeRecordBatches } from '../../../src/protocol/records/decode.js';
import { MemoryLog } from '../../../src/storage/memory/memory-log.js';
import { RawKafkaClient } from './raw-client.js';
import * as req from './requests.js';

const memDirs = async () => (await readdir(tmpdir())).filter((n) => n.startsWith('vltava-mem-')).length;

describe('in-memory storage', () => {
  it('serves produce, fetch and DescribeLogDirs without touching the disk', async () => {
    const logDir = join(tmpdir(), `vltava-never-created-${process.pid}`);
    const before = await memDirs();
    const broker = await startBroker({ port: 0, storage: 'memory', config: { 'log.dirs': logDir } });
    const client = await RawKafkaClient.connect(broker.bootstrapServers);
    try {
      await client.request(ApiKeys.CreateTopics, 7, req.createTopics([{ name: 'mem', numPartitions: 2 }]));
      assert.ok(broker.context.replicas.getPartition('mem', 0)!.log instanceof MemoryLog);
      const p = await client.request(ApiKeys.Produce, 9, req.produce('mem', 1, req.batch(['x', 'y'])));
      assert.equal(p.responses[0].partitionResponses[0].errorCode, 0);
      const f = await client.request(ApiKeys.Fetch, 12, req.fetch([{ topic: 'mem', partition: 1, offset: 0 }]));
      const recs = decodeRecordBatches(f.responses[0].partitions[0].records).flatMap((b) =>
        b.records.map((r) => r.value!.toString()),
      );
      assert.deepEqual(recs, ['x', 'y']);
      const dirs = await client.request(ApiKeys.DescribeLogDirs, 4, { topics: null });
      assert.equal(dirs.results[0].logDir, 'memory');
      assert.ok(dirs.results[0].topics.some((t: { name: string }) => t.name === 'mem'));
      assert.equal(existsSync(logDir), false, 'log.dirs is not created');
      assert.equal(await memDirs(), before, 'no temporary directory either');
    } finally {
      client.close();
      await broker.close();
    }
  });
});
