import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Broker, startBroker } from '../../../src/broker/broker.js';
import { Admin } from '../../../src/client/admin/admin.js';
import { KafkaError } from '../../../src/client/errors.js';
import { silentLogger } from '../../../src/common/logger.js';
import { ApiKeys } from '../../../src/protocol/messages/index.js';
import { encodeRecordBatch } from '../../../src/protocol/records/encode.js';

let broker: Broker;
let admin: Admin;

before(async () => {
  broker = await startBroker({ port: 0, storage: 'memory' });
  admin = new Admin({ bootstrapServers: broker.bootstrapServers, logger: silentLogger() });
  await admin.connect();
});
after(async () => {
  await admin.close();
  await broker.close();
});

async function produceRaw(topic: string, partition: number, n: number): Promise<void> {
  const leader = await admin.cluster.leaderFor(topic, partition);
  const conn = await admin.cluster.broker(leader);
  const records = Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`v${i}`), timestamp: 1_000 + i }));
  const res = await conn.request(ApiKeys.Produce, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records: encodeRecordBatch({ records }) }] }] });
  assert.equal(res.responses[0].partitionResponses[0].errorCode, 0);
}

describe('admin client', () => {
  it('creates, lists, describes, grows and deletes topics', async () => {
    await admin.createTopics([{ topic: 'adm-a', numPartitions: 3, configs: { 'retention.ms': '60000' } }, { topic: 'adm-b' }]);
    assert.ok((await admin.listTopics()).includes('adm-a'));
    const [a] = await admin.describeTopics(['adm-a']);
    assert.equal(a!.partitions.length, 3);
    assert.equal(a!.partitions[0]!.leader, broker.nodeId);
    assert.match(a!.topicId, /^[0-9a-f]{8}-/);
    await assert.rejects(admin.createTopics([{ topic: 'adm-a' }]), (e: KafkaError) => e.name === 'TOPIC_ALREADY_EXISTS' && e.topic === 'adm-a');
    await admin.createPartitions([{ topic: 'adm-a', count: 5 }]);
    assert.equal((await admin.describeTopics(['adm-a']))[0]!.partitions.length, 5);
    await admin.deleteTopics(['adm-b']);
    assert.ok(!(await admin.listTopics()).includes('adm-b'));
    await assert.rejects(admin.describeTopics(['adm-b']), /UNKNOWN_TOPIC_OR_PARTITION/);
  });

  it('describes and alters configs (legacy and incremental)', async () => {
    await admin.createTopics([{ topic: 'adm-cfg', configs: { 'cleanup.policy': 'compact' } }]);
    let [d] = await admin.describeConfigs([{ type: 'topic', name: 'adm-cfg', keys: ['cleanup.policy', 'retention.ms'] }]);
    assert.equal(d!.configs.find((c) => c.name === 'cleanup.policy')!.value, 'compact');
    assert.equal(d!.configs.find((c) => c.name === 'cleanup.policy')!.source, 'DYNAMIC_TOPIC_CONFIG');
    await admin.incrementalAlterConfigs([{ type: 'topic', name: 'adm-cfg', operations: [{ name: 'retention.ms', op: 'set', value: '1234' }] }]);
    [d] = await admin.describeConfigs([{ type: 'topic', name: 'adm-cfg', keys: ['retention.ms'] }]);
    assert.equal(d!.configs[0]!.value, '1234');
    await admin.alterConfigs([{ type: 'topic', name: 'adm-cfg', configs: { 'segment.ms': '100000' } }]);
    [d] = await admin.describeConfigs([{ type: 'topic', name: 'adm-cfg' }]);
    assert.equal(d!.configs.find((c) => c.name === 'segment.ms')!.value, '100000');
    assert.equal(d!.configs.find((c) => c.name === 'retention.ms')!.isDefault, true, 'legacy alter replaces the whole set');
    const [b] = await admin.describeConfigs([{ type: 'broker', name: String(broker.nodeId), keys: ['num.partitions'] }]);
    assert.equal(b!.configs[0]!.name, 'num.partitions');
  });

  it('describes the cluster and log dirs', async () => {
    const c = await admin.describeCluster();
    assert.equal(c.clusterId, broker.clusterId);
    assert.deepEqual(c.brokers.map((x) => x.nodeId), [broker.nodeId]);
    assert.equal(c.controllerId, broker.nodeId);
    const dirs = await admin.describeLogDirs();
    assert.equal(dirs.length, 1);
    assert.ok(dirs[0]!.partitions.some((p) => p.topic === 'adm-a'));
  });

  it('lists offsets by time and deletes records', async () => {
    await admin.createTopics([{ topic: 'adm-off', numPartitions: 1 }]);
    await produceRaw('adm-off', 0, 10);
    assert.deepEqual(await admin.fetchTopicOffsets('adm-off'), [{ partition: 0, earliest: 0, latest: 10 }]);
    const [byTime] = await admin.listOffsets([{ topic: 'adm-off', partition: 0, timestamp: 1_004 }]);
    assert.equal(byTime!.offset, 4);
    const [low] = await admin.deleteRecords([{ topic: 'adm-off', partition: 0, offset: 6 }]);
    assert.equal(low!.lowWatermark, 6);
    assert.deepEqual(await admin.fetchTopicOffsets('adm-off'), [{ partition: 0, earliest: 6, latest: 10 }]);
  });
});
