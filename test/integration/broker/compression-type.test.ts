// Topic compression.type: `producer` stores batches as sent; a codec makes the broker re-encode
// batches in other codecs (Kafka's LogValidator), keeping records, timestamps and producer fields.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { type Broker, startBroker } from '../../../src/broker/broker.js';
import { ApiKeys } from '../../../src/protocol/messages/index.js';
import { CompressionType } from '../../../src/protocol/records/batch-header.js';
import { decodeRecordBatches } from '../../../src/protocol/records/decode.js';
import { encodeRecordBatch } from '../../../src/protocol/records/encode.js';
import { RawKafkaClient } from './raw-client.js';
import * as req from './requests.js';

const run = promisify(execFile);
let broker: Broker;
let client: RawKafkaClient;

before(async () => {
  broker = await startBroker({ port: 0, storage: 'memory' });
  client = await RawKafkaClient.connect(broker.bootstrapServers);
  await client.request(
    ApiKeys.CreateTopics,
    7,
    req.createTopics([
      { name: 'as-gzip', configs: { 'compression.type': 'gzip' } },
      { name: 'as-sent' },
      { name: 'as-none', configs: { 'compression.type': 'uncompressed' } },
    ]),
  );
});
after(async () => {
  client.close();
  await broker.close();
});

const lz4Batch = () =>
  encodeRecordBatch({
    compression: CompressionType.Lz4,
    producerId: 77n,
    producerEpoch: 2,
    baseSequence: 0,
    records: [
      {
        key: Buffer.from('k1'),
        value: Buffer.from('one'),
        timestamp: 1_700_000_000_000,
        headers: [{ key: 'h', value: Buffer.from('x') }],
      },
      { key: null, value: Buffer.from('two'), timestamp: 1_700_000_000_005 },
    ],
  });

async function storedBatches(topic: string) {
  const f = await client.request(ApiKeys.Fetch, 12, req.fetch([{ topic, partition: 0, offset: 0 }]));
  return decodeRecordBatches(f.responses[0].partitions[0].records);
}

describe('compression.type', () => {
  it('re-encodes lz4 batches for a gzip topic, keeping records, timestamps and producer fields', async () => {
    const p = await client.request(ApiKeys.Produce, 9, req.produce('as-gzip', 0, lz4Batch()));
    assert.equal(p.responses[0].partitionResponses[0].errorCode, 0);
    const [b] = await storedBatches('as-gzip');
    assert.equal(b!.compression, CompressionType.Gzip);
    assert.equal(b!.producerId, 77n);
    assert.equal(b!.producerEpoch, 2);
    assert.equal(b!.baseSequence, 0);
    assert.deepEqual(
      b!.records.map((r) => [r.key?.toString() ?? null, r.value!.toString(), r.timestamp, r.headers.map((h) => h.key)]),
      [
        ['k1', 'one', 1_700_000_000_000, ['h']],
        [null, 'two', 1_700_000_000_005, []],
      ],
    );
    // The producer state saw the re-encoded batch: its retry is still recognised.
    const retry = await client.request(ApiKeys.Produce, 9, req.produce('as-gzip', 0, lz4Batch()));
    assert.equal(retry.responses[0].partitionResponses[0].baseOffset, 0n);
    assert.equal((await storedBatches('as-gzip')).length, 1);
  });

  it('stores batches as sent when the topic keeps the producer codec', async () => {
    const sent = lz4Batch();
    await client.request(ApiKeys.Produce, 9, req.produce('as-sent', 0, Buffer.from(sent)));
    const f = await client.request(ApiKeys.Fetch, 12, req.fetch([{ topic: 'as-sent', partition: 0, offset: 0 }]));
    const stored: Buffer = f.responses[0].partitions[0].records;
    // Identical apart from the broker-owned header fields (baseOffset, partitionLeaderEpoch).
    assert.deepEqual(stored.subarray(16), sent.subarray(16));
  });

  it('decompresses for an uncompressed topic, whatever kcat sends', async () => {
    const child = execFile('kcat', ['-b', broker.bootstrapServers, '-P', '-t', 'as-none', '-z', 'gzip']);
    child.stdin!.end('a\nb\n');
    await new Promise<void>((resolve, reject) =>
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exit ${code}`)))),
    );
    const batches = await storedBatches('as-none');
    assert.ok(batches.length > 0);
    assert.ok(batches.every((b) => b.compression === CompressionType.None));
    assert.deepEqual(
      batches.flatMap((b) => b.records.map((r) => r.value!.toString())),
      ['a', 'b'],
    );
    const { stdout } = await run('kcat', [
      '-b',
      broker.bootstrapServers,
      '-C',
      '-t',
      'as-none',
      '-o',
      'beginning',
      '-e',
    ]);
    assert.deepEqual(stdout.trim().split('\n'), ['a', 'b']);
  });
});
