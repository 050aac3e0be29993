import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../../src/broker/broker.js';
import { Admin } from '../../../src/client/admin/admin.js';
import type { ClientError } from '../../../src/client/errors.js';
import { murmur2Partition } from '../../../src/client/producer/partitioners.js';
import { type Compression, Producer } from '../../../src/client/producer/producer.js';
import { serializers } from '../../../src/client/producer/serializers.js';
import { silentLogger } from '../../../src/common/logger.js';
import { readPartition, run, startTestBroker, stopTestBroker } from './helpers.js';

let broker: Broker;
let admin: Admin;
const logger = silentLogger();

before(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': true });
  admin = new Admin({ bootstrapServers: broker.bootstrapServers, logger });
  await admin.connect();
});
after(async () => {
  await admin.close();
  await stopTestBroker(broker);
});

describe('producer', () => {
  for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as Compression[]) {
    for (const acks of [0, 1, -1] as const) {
      it(`round-trips records with ${compression} compression and acks=${acks}`, async () => {
        const topic = `p-${compression}-${acks === -1 ? 'all' : acks}`;
        await admin.createTopics([{ topic, numPartitions: 1 }]);
        const p = new Producer({
          bootstrapServers: broker.bootstrapServers,
          logger,
          compression,
          acks,
          keySerializer: serializers.string,
          valueSerializer: serializers.string,
          lingerMs: 2,
        });
        const sent = await p.sendBatch(
          Array.from({ length: 20 }, (_, i) => ({
            topic,
            key: `k${i}`,
            value: `value-${i}`.repeat(10),
            headers: { h: `x${i}` },
          })),
        );
        if (acks === 0) assert.ok(sent.every((m) => m.offset === -1));
        else
          assert.deepEqual(
            sent.map((m) => m.offset),
            Array.from({ length: 20 }, (_, i) => i),
          );
        await p.close();
        const recs = await readPartition(admin.cluster, topic, 0);
        assert.equal(recs.length, 20);
        assert.equal(recs[7]!.key!.toString(), 'k7');
        assert.equal(recs[7]!.value!.toString(), 'value-7'.repeat(10));
        assert.equal(recs[7]!.headers[0]!.key, 'h');
        assert.equal(recs[7]!.headers[0]!.value!.toString(), 'x7');
      });
    }
  }

  it('keyed records land on murmur2 partitions; explicit partitions are honoured; keyless records stick', async () => {
    const topic = 'p-partitions';
    await admin.createTopics([{ topic, numPartitions: 6 }]);
    const p = new Producer({
      bootstrapServers: broker.bootstrapServers,
      logger,
      keySerializer: serializers.string,
      valueSerializer: serializers.json,
    });
    const keyed = await p.sendBatch(Array.from({ length: 30 }, (_, i) => ({ topic, key: `key-${i}`, value: { i } })));
    for (const [i, m] of keyed.entries()) assert.equal(m.partition, murmur2Partition(Buffer.from(`key-${i}`), 6));
    assert.equal((await p.send({ topic, value: { x: 1 }, partition: 4 })).partition, 4);
    await assert.rejects(
      p.send({ topic, value: null, partition: 9 }),
      (e: ClientError) => e.code === 'ERR_CLIENT_INVALID_ARGUMENT',
    );
    const keyless = await p.sendBatch(Array.from({ length: 10 }, (_, i) => ({ topic, value: { i } })));
    assert.equal(new Set(keyless.map((m) => m.partition)).size, 1, 'one batch, one sticky partition');
    await p.close();
  });

  it('a custom partitioner sees key bytes and partitions', async () => {
    const topic = 'p-custom';
    await admin.createTopics([{ topic, numPartitions: 3 }]);
    const seen: number[][] = [];
    const p = new Producer({
      bootstrapServers: broker.bootstrapServers,
      logger,
      keySerializer: serializers.string,
      partitioner: ({ key, allPartitions, availablePartitions }) => {
        seen.push([...allPartitions]);
        assert.deepEqual(availablePartitions, [0, 1, 2]);
        return key!.toString() === 'last' ? allPartitions[allPartitions.length - 1] : 0;
      },
    });
    assert.equal((await p.send({ topic, key: 'last', value: Buffer.from('v') })).partition, 2);
    assert.equal((await p.send({ topic, key: 'other', value: Buffer.from('v') })).partition, 0);
    assert.deepEqual(seen[0], [0, 1, 2]);
    await p.close();
  });

  it('matches librdkafka murmur2_random partitions through the broker (kcat)', async () => {
    const topic = 'p-kcat-murmur';
    await admin.createTopics([{ topic, numPartitions: 7 }]);
    const keys = Array.from({ length: 40 }, (_, i) => `user-${i * 7919}-${'x'.repeat(i % 5)}`);
    await run(
      'kcat',
      ['-b', broker.bootstrapServers, '-P', '-t', topic, '-K', ':', '-X', 'topic.partitioner=murmur2_random'],
      `${keys.map((k) => `${k}:v`).join('\n')}\n`,
    );
    let found = 0;
    for (let partition = 0; partition < 7; partition++) {
      for (const r of await readPartition(admin.cluster, topic, partition)) {
        assert.equal(murmur2Partition(r.key!, 7), partition, `key ${r.key!.toString()}`);
        found++;
      }
    }
    assert.equal(found, keys.length);
  });

  it('falls back to non-idempotent when the broker lacks InitProducerId, or uses a producer id', async () => {
    const p = new Producer({ bootstrapServers: broker.bootstrapServers, logger });
    await p.connect();
    const conn = await p.cluster.anyBroker();
    assert.equal(p.idempotent, conn.supports(22));
    await p.close();
  });

  it('fails records of an unknown topic when auto-creation is off, naming the topic', async () => {
    const p = new Producer({
      bootstrapServers: broker.bootstrapServers,
      logger,
      allowAutoTopicCreation: false,
      requestTimeoutMs: 300,
    });
    await assert.rejects(
      p.send({ topic: 'p-nope', value: Buffer.from('x') }),
      /UNKNOWN_TOPIC_OR_PARTITION \(Metadata, topic p-nope\)/,
    );
    await p.close();
  });

  it('retries when connections close mid-flight without losing records', async () => {
    const topic = 'p-chaos';
    await admin.createTopics([{ topic, numPartitions: 2 }]);
    const p = new Producer({
      bootstrapServers: broker.bootstrapServers,
      logger,
      lingerMs: 0,
      batchSize: 200,
      retryBackoffMs: 5,
    });
    await p.send({ topic, key: Buffer.from('k0'), value: Buffer.from('v0') }); // metadata known: later sends append at once
    const sends: Promise<unknown>[] = [];
    let killed = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = round * 50 + 1; i < round * 50 + 51; i++)
        sends.push(p.send({ topic, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) }));
      // wait (event-loop turns, not time) until the sender has requests in flight, then cut them
      for (let spins = 0; spins < 1000 && !p.cluster.pool.connections().some((c) => c.inFlight > 0); spins++)
        await new Promise((r) => setImmediate(r));
      for (const c of p.cluster.pool.connections()) {
        if (c.inFlight > 0) {
          c.destroy();
          killed++;
        }
      }
    }
    assert.ok(killed > 0, 'connections were closed with requests in flight');
    await Promise.all(sends);
    assert.ok(p.stats.retries > 0, 'some batches were retried');
    const idempotent = p.idempotent;
    await p.close();
    const values = [
      ...(await readPartition(admin.cluster, topic, 0)),
      ...(await readPartition(admin.cluster, topic, 1)),
    ].map((r) => r.value!.toString());
    const unique = new Set(values);
    assert.equal(unique.size, 301, 'every record arrived');
    if (idempotent) assert.equal(values.length, 301, 'no duplicates with idempotence');
  });
});

describe('producer failure handling', () => {
  it('idempotent batches carry a producer id and consecutive sequences', async () => {
    const topic = 'p-idempotent';
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    const p = new Producer({ bootstrapServers: broker.bootstrapServers, logger, batchSize: 300, lingerMs: 0 });
    await p.connect();
    assert.equal(p.idempotent, true);
    await p.sendBatch(
      Array.from({ length: 20 }, (_, i) => ({ topic, value: Buffer.from(`v${i}`.repeat(10)), partition: 0 })),
    );
    await p.close();
    const conn = await admin.cluster.broker(broker.nodeId);
    const res = await conn.request(1, {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          topicId: Buffer.alloc(16),
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: 0n,
              lastFetchedEpoch: -1,
              logStartOffset: -1n,
              partitionMaxBytes: 1 << 20,
              replicaDirectoryId: Buffer.alloc(16),
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    const { decodeRecordBatches } = await import('../../../src/protocol/records/decode.js');
    const batches = decodeRecordBatches(res.responses[0].partitions[0].records);
    assert.ok(batches.length > 1);
    let expected = 0;
    for (const b of batches) {
      assert.ok(b.producerId >= 0n);
      assert.equal(b.baseSequence, expected);
      expected += b.recordCount;
    }
  });

  it('fails records with ERR_CLIENT_DELIVERY_TIMEOUT when the broker is gone', async () => {
    const b2 = await startTestBroker({ 'auto.create.topics.enable': true });
    const p = new Producer({
      bootstrapServers: b2.bootstrapServers,
      logger,
      deliveryTimeoutMs: 400,
      requestTimeoutMs: 200,
      retryBackoffMs: 20,
      reconnectBackoffMaxMs: 50,
    });
    await p.send({ topic: 'p-gone', value: Buffer.from('first') });
    await stopTestBroker(b2);
    await assert.rejects(
      p.send({ topic: 'p-gone', value: Buffer.from('lost') }),
      (e: ClientError) => e.code === 'ERR_CLIENT_DELIVERY_TIMEOUT',
    );
    await p.close(100);
  });

  it('splits a batch the broker finds too large and delivers every record in order', async () => {
    const topic = 'p-split';
    await admin.createTopics([{ topic, numPartitions: 1, configs: { 'max.message.bytes': '2000' } }]);
    const p = new Producer({ bootstrapServers: broker.bootstrapServers, logger, batchSize: 64 * 1024, lingerMs: 50 });
    await p.connect();
    const sent = await p.sendBatch(
      Array.from({ length: 60 }, (_, i) => ({ topic, partition: 0, value: Buffer.from(`${i}`.padStart(100, '-')) })),
    );
    assert.deepEqual(
      sent.map((m) => m.offset),
      Array.from({ length: 60 }, (_, i) => i),
    );
    assert.ok(p.stats.retries >= 3, 'the 6 KB batch was split at least three times');
    await p.close();
    const values = (await readPartition(admin.cluster, topic, 0)).map((r) =>
      Number(r.value!.toString().replace(/-/g, '')),
    );
    assert.deepEqual(
      values,
      Array.from({ length: 60 }, (_, i) => i),
    );
  });

  it('an explicit idempotent producer with acks=1 is refused, as in Java', () => {
    assert.throws(
      () => new Producer({ bootstrapServers: broker.bootstrapServers, logger, idempotent: true, acks: 1 }),
      /idempotence requires acks=all/,
    );
  });
});
