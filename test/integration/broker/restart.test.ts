import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { startBroker } from '../../../src/broker/broker.js';
import { ApiKeys } from '../../../src/protocol/messages/index.js';
import { decodeRecordBatches } from '../../../src/protocol/records/decode.js';
import { RawKafkaClient } from './raw-client.js';
import * as req from './requests.js';

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'vltava-restart-'));
  dirs.push(d);
  return d;
}
const values = (records: Buffer | null) =>
  decodeRecordBatches(records ?? Buffer.alloc(0)).flatMap((b) => b.records.map((r) => r.value!.toString()));

describe('restart', () => {
  it('keeps topics, ids, configs, dynamic broker configs and records across a clean restart', async () => {
    const dir = await tempDir();
    const b1 = await startBroker({ port: 0, config: { 'log.dirs': dir } });
    const c1 = await RawKafkaClient.connect(b1.bootstrapServers);
    const created = await c1.request(
      ApiKeys.CreateTopics,
      7,
      req.createTopics([{ name: 'keep', numPartitions: 2, configs: { 'retention.ms': '123456' } }]),
    );
    await c1.request(ApiKeys.Produce, 9, req.produce('keep', 1, req.batch(['r1', 'r2'])));
    await c1.request(ApiKeys.IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 4,
          resourceName: '',
          configs: [{ name: 'log.retention.bytes', configOperation: 0, value: '999999' }],
        },
      ],
      validateOnly: false,
    });
    c1.close();
    await b1.close();

    const b2 = await startBroker({ port: 0, config: { 'log.dirs': dir } });
    const c2 = await RawKafkaClient.connect(b2.bootstrapServers);
    assert.equal(b2.clusterId, b1.clusterId);
    const md = await c2.request(ApiKeys.Metadata, 12, req.metadata(['keep'], false));
    assert.equal(md.topics[0].partitions.length, 2);
    assert.deepEqual(md.topics[0].topicId, created.topics[0].topicId);
    const f = await c2.request(ApiKeys.Fetch, 12, req.fetch([{ topic: 'keep', partition: 1, offset: 0 }]));
    assert.deepEqual(values(f.responses[0].partitions[0].records), ['r1', 'r2']);
    const d = await c2.request(ApiKeys.DescribeConfigs, 4, {
      resources: [{ resourceType: 2, resourceName: 'keep', configurationKeys: ['retention.ms', 'retention.bytes'] }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    const cfg = Object.fromEntries(d.results[0].configs.map((c: { name: string; value: string }) => [c.name, c.value]));
    assert.deepEqual(cfg, { 'retention.bytes': '999999', 'retention.ms': '123456' });
    c2.close();
    await b2.close();
  });

  it('keeps acknowledged records after SIGKILL of `vltava server start`', async () => {
    const dir = await tempDir();
    const start = async () => {
      const child = spawn(
        process.execPath,
        [
          'dist/src/cli/main.js',
          'server',
          'start',
          '-o',
          'listeners=PLAINTEXT://127.0.0.1:0',
          '-o',
          `log.dirs=${dir}`,
          '--log-format',
          'json',
        ],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      const lines = createInterface({ input: child.stderr! });
      for await (const line of lines) {
        const obj = JSON.parse(line) as { msg: string; listeners?: string[] };
        if (obj.msg === 'broker started') {
          const port = /:(\d+)$/.exec(obj.listeners![0]!)![1];
          return { child, bootstrap: `127.0.0.1:${port}` };
        }
      }
      throw new Error('broker did not start');
    };
    const first = await start();
    const c1 = await RawKafkaClient.connect(first.bootstrap);
    await c1.request(ApiKeys.CreateTopics, 7, req.createTopics([{ name: 'crash' }]));
    const p = await c1.request(ApiKeys.Produce, 9, req.produce('crash', 0, req.batch(['before-kill']), 1));
    assert.equal(p.responses[0].partitionResponses[0].errorCode, 0);
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    await c1.closed;

    const second = await start();
    const c2 = await RawKafkaClient.connect(second.bootstrap);
    const f = await c2.request(ApiKeys.Fetch, 12, req.fetch([{ topic: 'crash', partition: 0, offset: 0 }]));
    assert.deepEqual(values(f.responses[0].partitions[0].records), ['before-kill']);
    c2.close();
    const stopped = new Promise((resolve) => second.child.once('exit', resolve));
    second.child.kill('SIGTERM');
    assert.equal(await stopped, 0);
  });
});
