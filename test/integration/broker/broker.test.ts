import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Broker, startBroker } from '../../../src/broker/broker.js';
import { ApiKeys } from '../../../src/protocol/messages/index.js';
import { decodeRecordBatches } from '../../../src/protocol/records/decode.js';
import { RawKafkaClient } from './raw-client.js';
import * as req from './requests.js';

const ERR = {
  NONE: 0,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  MESSAGE_TOO_LARGE: 10,
  INVALID_TOPIC_EXCEPTION: 17,
  INVALID_REQUIRED_ACKS: 21,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_CONFIG: 40,
  FETCH_SESSION_ID_NOT_FOUND: 70,
  INVALID_FETCH_SESSION_EPOCH: 71,
};

let broker: Broker;
let client: RawKafkaClient;

before(async () => {
  broker = await startBroker({ port: 0, storage: 'memory', config: { 'auto.create.topics.enable': true } });
  client = await RawKafkaClient.connect(broker.bootstrapServers);
});
after(async () => {
  client.close();
  await broker.close();
});

const values = (records: Buffer | null) =>
  decodeRecordBatches(records ?? Buffer.alloc(0)).flatMap((b) => b.records.map((r) => r.value!.toString()));

describe('single-node broker', () => {
  it('ApiVersions advertises exactly the implemented APIs', async () => {
    const res = await client.request(ApiKeys.ApiVersions, 3, {
      clientSoftwareName: 'test',
      clientSoftwareVersion: '1.0',
    });
    assert.equal(res.errorCode, 0);
    assert.deepEqual(res.apiKeys, broker.dispatcher.supportedVersions());
    const keys = res.apiKeys.map((k: { apiKey: number }) => k.apiKey);
    for (const k of [0, 1, 2, 3, 18, 19, 20, 21, 22, 32, 33, 35, 37, 44, 60, 75])
      assert.ok(keys.includes(k), `API ${k} advertised`);
    assert.ok(!keys.includes(ApiKeys.AddPartitionsToTxn));
  });

  it('answers an ApiVersions version it does not know at v0 with UNSUPPORTED_VERSION and its ranges', async () => {
    const c = await RawKafkaClient.connect(broker.bootstrapServers);
    // v5 does not exist: hand-build header v2 + empty tagged body, then decode the reply as v0.
    const body = Buffer.from([0, 18, 0, 5, 0, 0, 0, 42, 0, 4, 0x74, 0x65, 0x73, 0x74, 0, 0]);
    const framed = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
    const reply = new Promise<Buffer>((resolve) => c.socket.once('data', resolve));
    c.writeRaw(framed);
    const bytes = await reply;
    assert.equal(bytes.readInt32BE(4), 42); // correlation id
    assert.equal(bytes.readInt16BE(8), ERR.UNSUPPORTED_VERSION);
    assert.ok(bytes.readInt32BE(10) > 5, 'api ranges included');
    c.close();
  });

  it('closes only the connection that sends an API it does not serve', async () => {
    const c = await RawKafkaClient.connect(broker.bootstrapServers);
    c.request(ApiKeys.DescribeAcls, 1, {
      resourceTypeFilter: 2,
      resourceNameFilter: null,
      patternTypeFilter: 3,
      principalFilter: null,
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    }).catch(() => {});
    await c.closed;
    const md = await client.request(ApiKeys.Metadata, 12, req.metadata(null));
    assert.equal(md.brokers.length, 1);
  });

  it('lists Produce from v0 as Kafka 4 does (KAFKA-18659) but closes a connection that sends Produce v2', async () => {
    const res = await client.request(ApiKeys.ApiVersions, 3, {
      clientSoftwareName: 'test',
      clientSoftwareVersion: '1.0',
    });
    const produce = res.apiKeys.find((k: { apiKey: number }) => k.apiKey === ApiKeys.Produce);
    assert.deepEqual({ min: produce.minVersion, max: produce.maxVersion }, { min: 0, max: 11 });
    const c = await RawKafkaClient.connect(broker.bootstrapServers);
    c.request(ApiKeys.Produce, 2, req.produce('v2-refused', 0, req.batch(['old']))).catch(() => {});
    await c.closed;
    const md = await client.request(ApiKeys.Metadata, 12, req.metadata(['v2-refused']));
    assert.equal(md.topics[0].errorCode, ERR.NONE);
    const list = await client.request(ApiKeys.ListOffsets, 7, req.listOffsets('v2-refused', 0, -1));
    assert.equal(list.topics[0].partitions[0].offset, 0n, 'nothing was appended');
  });

  it('auto-creates topics from Metadata and rejects invalid names', async () => {
    const md = await client.request(ApiKeys.Metadata, 12, req.metadata(['auto-1', 'bad name!']));
    assert.equal(md.topics[0].errorCode, ERR.NONE);
    assert.equal(md.topics[0].partitions.length, 1);
    assert.equal(md.topics[0].topicId.length, 16);
    assert.equal(md.topics[1].errorCode, ERR.INVALID_TOPIC_EXCEPTION);
    const noAuto = await client.request(ApiKeys.Metadata, 12, req.metadata(['auto-2'], false));
    assert.equal(noAuto.topics[0].errorCode, ERR.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('creates topics with configs, refusing duplicates, bad names and bad configs', async () => {
    const res = await client.request(
      ApiKeys.CreateTopics,
      7,
      req.createTopics([
        { name: 'ct-1', numPartitions: 3, configs: { 'retention.ms': '1000' } },
        { name: 'bad/name' },
        { name: 'ct-2', configs: { 'retention.mss': '1' } },
      ]),
    );
    assert.equal(res.topics[0].errorCode, ERR.NONE);
    assert.equal(res.topics[0].numPartitions, 3);
    assert.equal(res.topics[0].configs.find((c: { name: string }) => c.name === 'retention.ms').value, '1000');
    assert.equal(res.topics[1].errorCode, ERR.INVALID_TOPIC_EXCEPTION);
    assert.equal(res.topics[2].errorCode, ERR.INVALID_CONFIG);
    assert.match(res.topics[2].errorMessage, /retention.mss/);
    const again = await client.request(ApiKeys.CreateTopics, 7, req.createTopics([{ name: 'ct-1' }]));
    assert.equal(again.topics[0].errorCode, ERR.TOPIC_ALREADY_EXISTS);
  });

  it('produces and fetches, with offsets assigned by the broker', async () => {
    await client.request(ApiKeys.CreateTopics, 7, req.createTopics([{ name: 'pf' }]));
    const p1 = await client.request(ApiKeys.Produce, 9, req.produce('pf', 0, req.batch(['a', 'b'])));
    const p2 = await client.request(ApiKeys.Produce, 3, req.produce('pf', 0, req.batch(['c']), 1));
    assert.equal(p1.responses[0].partitionResponses[0].baseOffset, 0n);
    assert.equal(p2.responses[0].partitionResponses[0].baseOffset, 2n);
    const f = await client.request(ApiKeys.Fetch, 12, req.fetch([{ topic: 'pf', partition: 0, offset: 0 }]));
    const part = f.responses[0].partitions[0];
    assert.equal(part.errorCode, ERR.NONE);
    assert.equal(part.highWatermark, 3n);
    assert.deepEqual(values(part.records), ['a', 'b', 'c']);
    const out = await client.request(ApiKeys.Fetch, 12, req.fetch([{ topic: 'pf', partition: 0, offset: 99 }]));
    assert.equal(out.responses[0].partitions[0].errorCode, 1); // OFFSET_OUT_OF_RANGE
  });

  it('a fetch at the log end waits and is answered as soon as data arrives', async () => {
    await client.request(ApiKeys.CreateTopics, 7, req.createTopics([{ name: 'lp' }]));
    const waiting = client.request(
      ApiKeys.Fetch,
      12,
      req.fetch([{ topic: 'lp', partition: 0, offset: 0 }], { maxWaitMs: 30000, minBytes: 1 }),
    );
    const producer = await RawKafkaClient.connect(broker.bootstrapServers);
    const started = Date.now();
    await producer.request(ApiKeys.Produce, 9, req.produce('lp', 0, req.batch(['late'])));
    const f = await waiting;
    assert.deepEqual(values(f.responses[0].partitions[0].records), ['late']);
    assert.ok(Date.now() - started < 10000);
    producer.close();
  });

  it('rejects bad CRCs, oversized batches and bad acks per partition, and keeps serving', async () => {
    await client.request(
      ApiKeys.CreateTopics,
      7,
      req.createTopics([{ name: 'bad', configs: { 'max.message.bytes': '200' } }]),
    );
    const corrupt = req.batch(['x']);
    corrupt[corrupt.length - 1] ^= 0xff;
    const r1 = await client.request(ApiKeys.Produce, 9, req.produce('bad', 0, corrupt));
    assert.equal(r1.responses[0].partitionResponses[0].errorCode, ERR.CORRUPT_MESSAGE);
    const r2 = await client.request(ApiKeys.Produce, 9, req.produce('bad', 0, req.batch(['y'.repeat(500)])));
    assert.equal(r2.responses[0].partitionResponses[0].errorCode, ERR.MESSAGE_TOO_LARGE);
    const r3 = await client.request(ApiKeys.Produce, 9, req.produce('bad', 0, req.batch(['z']), 2));
    assert.equal(r3.responses[0].partitionResponses[0].errorCode, ERR.INVALID_REQUIRED_ACKS);
    const r4 = await client.request(ApiKeys.Produce, 9, req.produce('nope', 0, req.batch(['z'])));
    assert.equal(r4.responses[0].partitionResponses[0].errorCode, ERR.UNKNOWN_TOPIC_OR_PARTITION);
    const ok = await client.request(ApiKeys.Produce, 9, req.produce('bad', 0, req.batch(['ok'])));
    assert.equal(ok.responses[0].partitionResponses[0].errorCode, ERR.NONE);
  });

  it('acks=0 gets no response but the data is written, and later responses stay in order', async () => {
    await client.request(ApiKeys.CreateTopics, 7, req.createTopics([{ name: 'a0' }]));
    await client.send(ApiKeys.Produce, 9, req.produce('a0', 0, req.batch(['fire']), 0));
    const f = await client.request(
      ApiKeys.Fetch,
      12,
      req.fetch([{ topic: 'a0', partition: 0, offset: 0 }], { maxWaitMs: 5000 }),
    );
    assert.deepEqual(values(f.responses[0].partitions[0].records), ['fire']);
  });

  it('lists offsets: earliest, latest and by timestamp', async () => {
    await client.request(ApiKeys.CreateTopics, 7, req.createTopics([{ name: 'lo' }]));
    await client.request(ApiKeys.Produce, 9, req.produce('lo', 0, req.batch(['t1'], { timestamp: 1000 })));
    await client.request(ApiKeys.Produce, 9, req.produce('lo', 0, req.batch(['t2'], { timestamp: Date.now() })));
    const at = async (ts: number) =>
      (await client.request(ApiKeys.ListOffsets, 7, req.listOffsets('lo', 0, ts))).topics[0].partitions[0];
    assert.equal((await at(-2)).offset, 0n);
    assert.equal((await at(-1)).offset, 2n);
    assert.equal((await at(2000)).offset, 1n);
    assert.equal((await at(Date.now() + 3_600_000)).offset, -1n);
    assert.equal((await at(-3)).offset, 1n);
  });

  it('fetch sessions return only partitions with news on incremental fetches', async () => {
    await client.request(ApiKeys.CreateTopics, 7, req.createTopics([{ name: 'fs', numPartitions: 2 }]));
    await client.request(ApiKeys.Produce, 9, req.produce('fs', 0, req.batch(['p0'])));
    const parts = [
      { topic: 'fs', partition: 0, offset: 0 },
      { topic: 'fs', partition: 1, offset: 0 },
    ];
    const full = await client.request(ApiKeys.Fetch, 12, req.fetch(parts, { sessionId: 0, sessionEpoch: 0 }));
    assert.ok(full.sessionId > 0);
    assert.equal(full.responses[0].partitions.length, 2);
    await client.request(ApiKeys.Produce, 9, req.produce('fs', 1, req.batch(['p1'])));
    const inc = await client.request(
      ApiKeys.Fetch,
      12,
      req.fetch([{ topic: 'fs', partition: 0, offset: 1 }], { sessionId: full.sessionId, sessionEpoch: 1 }),
    );
    assert.deepEqual(
      inc.responses.flatMap((t: { partitions: Array<{ partitionIndex: number }> }) =>
        t.partitions.map((p) => p.partitionIndex),
      ),
      [1],
    );
    const stale = await client.request(
      ApiKeys.Fetch,
      12,
      req.fetch([], { sessionId: full.sessionId, sessionEpoch: 1 }),
    );
    assert.equal(stale.errorCode, ERR.INVALID_FETCH_SESSION_EPOCH);
    const unknown = await client.request(ApiKeys.Fetch, 12, req.fetch([], { sessionId: 12345, sessionEpoch: 3 }));
    assert.equal(unknown.errorCode, ERR.FETCH_SESSION_ID_NOT_FOUND);
  });

  it('describes and alters topic and broker configs with Kafka sources', async () => {
    await client.request(ApiKeys.CreateTopics, 7, req.createTopics([{ name: 'cfg' }]));
    const alter = await client.request(ApiKeys.IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 2,
          resourceName: 'cfg',
          configs: [
            { name: 'retention.ms', configOperation: 0, value: '5000' },
            { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
          ],
        },
      ],
      validateOnly: false,
    });
    assert.equal(alter.responses[0].errorCode, ERR.NONE);
    const d = await client.request(ApiKeys.DescribeConfigs, 4, {
      resources: [
        {
          resourceType: 2,
          resourceName: 'cfg',
          configurationKeys: ['retention.ms', 'cleanup.policy', 'segment.bytes'],
        },
        { resourceType: 4, resourceName: String(broker.nodeId), configurationKeys: ['log.retention.hours'] },
      ],
      includeSynonyms: true,
      includeDocumentation: false,
    });
    const byName = new Map(d.results[0].configs.map((c: { name: string }) => [c.name, c]));
    assert.equal((byName.get('retention.ms') as { value: string }).value, '5000');
    assert.equal((byName.get('retention.ms') as { configSource: number }).configSource, 1);
    assert.equal((byName.get('cleanup.policy') as { value: string }).value, 'delete,compact');
    assert.equal((byName.get('segment.bytes') as { configSource: number }).configSource, 5);
    assert.equal(d.results[1].configs[0].value, '168');
    const bad = await client.request(ApiKeys.IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 2,
          resourceName: 'cfg',
          configs: [{ name: 'retention.ms', configOperation: 0, value: 'soon' }],
        },
        {
          resourceType: 4,
          resourceName: String(broker.nodeId),
          configs: [{ name: 'broker.id', configOperation: 0, value: '7' }],
        },
      ],
      validateOnly: false,
    });
    assert.equal(bad.responses[0].errorCode, ERR.INVALID_CONFIG);
    assert.equal(bad.responses[1].errorCode, 42); // INVALID_REQUEST: read-only
  });

  it('deletes records and topics', async () => {
    await client.request(ApiKeys.CreateTopics, 7, req.createTopics([{ name: 'del' }]));
    await client.request(ApiKeys.Produce, 9, req.produce('del', 0, req.batch(['1', '2', '3'])));
    const dr = await client.request(ApiKeys.DeleteRecords, 2, {
      topics: [{ name: 'del', partitions: [{ partitionIndex: 0, offset: 2n }] }],
      timeoutMs: 1000,
    });
    assert.equal(dr.topics[0].partitions[0].lowWatermark, 2n);
    const dt = await client.request(ApiKeys.DeleteTopics, 6, {
      topics: [{ name: 'del', topicId: Buffer.alloc(16) }],
      topicNames: [],
      timeoutMs: 1000,
    });
    assert.equal(dt.responses[0].errorCode, ERR.NONE);
    const md = await client.request(ApiKeys.Metadata, 12, req.metadata(['del'], false));
    assert.equal(md.topics[0].errorCode, ERR.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('keeps serving other clients when one sends garbage or an oversized frame', async () => {
    const g = await RawKafkaClient.connect(broker.bootstrapServers);
    g.writeRaw(Buffer.from([0, 0, 0, 6, 0xde, 0xad, 0xbe, 0xef, 0, 1]));
    await g.closed;
    const big = await RawKafkaClient.connect(broker.bootstrapServers);
    big.writeRaw(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
    await big.closed;
    const md = await client.request(ApiKeys.Metadata, 1, req.metadata(null));
    assert.equal(md.brokers[0].nodeId, broker.nodeId);
  });
});
