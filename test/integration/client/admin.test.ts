import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../../src/broker/broker.js';
import { Admin } from '../../../src/client/admin/admin.js';
import { KafkaError } from '../../../src/client/errors.js';
import { startTestBroker, stopTestBroker } from './helpers.js';
import { silentLogger } from '../../../src/common/logger.js';
import { ApiKeys } from '../../../src/protocol/messages/index.js';
import { encodeRecordBatch } from '../../../src/protocol/records/encode.js';

let broker: Broker;
let admin: Admin;

before(async () => {
  broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': 0 });
  admin = new Admin({ bootstrapServers: broker.bootstrapServers, logger: silentLogger() });
  await admin.connect();
});
after(async () => {
  await admin.close();
  await stopTestBroker(broker);
});

async function produceRaw(topic: string, partition: number, n: number): Promise<void> {
  const leader = await admin.cluster.leaderFor(topic, partition);
  const conn = await admin.cluster.broker(leader);
  const records = Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`v${i}`), timestamp: 1_000 + i }));
  const res = await conn.request(ApiKeys.Produce, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: encodeRecordBatch({ records }) }] }],
  });
  assert.equal(res.responses[0].partitionResponses[0].errorCode, 0);
}

describe('admin client', () => {
  it('creates, lists, describes, grows and deletes topics', async () => {
    await admin.createTopics([
      { topic: 'adm-a', numPartitions: 3, configs: { 'retention.ms': '60000' } },
      { topic: 'adm-b' },
    ]);
    assert.ok((await admin.listTopics()).includes('adm-a'));
    const [a] = await admin.describeTopics(['adm-a']);
    assert.equal(a!.partitions.length, 3);
    assert.equal(a!.partitions[0]!.leader, broker.nodeId);
    assert.match(a!.topicId, /^[0-9a-f]{8}-/);
    await assert.rejects(
      admin.createTopics([{ topic: 'adm-a' }]),
      (e: KafkaError) => e.name === 'TOPIC_ALREADY_EXISTS' && e.topic === 'adm-a',
    );
    await admin.createPartitions([{ topic: 'adm-a', count: 5 }]);
    assert.equal((await admin.describeTopics(['adm-a']))[0]!.partitions.length, 5);
    await admin.deleteTopics(['adm-b']);
    assert.ok(!(await admin.listTopics()).includes('adm-b'));
    await assert.rejects(admin.describeTopics(['adm-b']), /UNKNOWN_TOPIC_OR_PARTITION/);
  });

  it('describes and alters configs (legacy and incremental)', async () => {
    await admin.createTopics([{ topic: 'adm-cfg', configs: { 'cleanup.policy': 'compact' } }]);
    let [d] = await admin.describeConfigs([
      { type: 'topic', name: 'adm-cfg', keys: ['cleanup.policy', 'retention.ms'] },
    ]);
    assert.equal(d!.configs.find((c) => c.name === 'cleanup.policy')!.value, 'compact');
    assert.equal(d!.configs.find((c) => c.name === 'cleanup.policy')!.source, 'DYNAMIC_TOPIC_CONFIG');
    await admin.incrementalAlterConfigs([
      { type: 'topic', name: 'adm-cfg', operations: [{ name: 'retention.ms', op: 'set', value: '1234' }] },
    ]);
    [d] = await admin.describeConfigs([{ type: 'topic', name: 'adm-cfg', keys: ['retention.ms'] }]);
    assert.equal(d!.configs[0]!.value, '1234');
    await admin.alterConfigs([{ type: 'topic', name: 'adm-cfg', configs: { 'segment.ms': '100000' } }]);
    [d] = await admin.describeConfigs([{ type: 'topic', name: 'adm-cfg' }]);
    assert.equal(d!.configs.find((c) => c.name === 'segment.ms')!.value, '100000');
    assert.equal(
      d!.configs.find((c) => c.name === 'retention.ms')!.isDefault,
      true,
      'legacy alter replaces the whole set',
    );
    const [b] = await admin.describeConfigs([
      { type: 'broker', name: String(broker.nodeId), keys: ['num.partitions'] },
    ]);
    assert.equal(b!.configs[0]!.name, 'num.partitions');
  });

  it('describes the cluster and log dirs', async () => {
    const c = await admin.describeCluster();
    assert.equal(c.clusterId, broker.clusterId);
    assert.deepEqual(
      c.brokers.map((x) => x.nodeId),
      [broker.nodeId],
    );
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

describe('admin client: consumer groups', () => {
  it('lists, describes with lag, resets, deletes offsets and deletes groups', async () => {
    const { Consumer } = await import('../../../src/client/consumer/consumer.js');
    const topic = 'adm-groups';
    const groupId = 'adm-g1';
    await admin.createTopics([{ topic, numPartitions: 2 }]);
    await produceRaw(topic, 0, 10);
    await produceRaw(topic, 1, 6);
    const c = new Consumer({
      bootstrapServers: broker.bootstrapServers,
      logger: silentLogger(),
      groupId,
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
      fetchMaxWaitMs: 20,
    });
    await c.subscribe(topic);
    let n = 0;
    for await (const _ of c) if (++n === 16) break;
    await c.commit([
      { topic, partition: 0, offset: 7 },
      { topic, partition: 1, offset: 6 },
    ]);
    assert.ok((await admin.listGroups()).some((g) => g.groupId === groupId && g.protocolType === 'consumer'));
    const [d] = await admin.describeGroups([groupId]);
    assert.equal(d!.state, 'Stable');
    assert.equal(d!.members.length, 1);
    assert.deepEqual(d!.members[0]!.subscribedTopics, [topic]);
    assert.equal(d!.members[0]!.assignment.length, 2);
    let lag = await admin.describeGroupLag(groupId);
    assert.deepEqual(
      lag.map((l) => [l.partition, l.committedOffset, l.logEndOffset, l.lag]),
      [
        [0, 7, 10, 3],
        [1, 6, 6, 0],
      ],
    );
    assert.equal(lag[0]!.memberId, d!.members[0]!.memberId);
    await assert.rejects(
      admin.resetOffsets(groupId, topic, { to: 'earliest' }),
      KafkaError,
      'an active group cannot be reset',
    );
    await c.close();

    assert.deepEqual(
      (await admin.resetOffsets(groupId, topic, { to: 'earliest' })).map((o) => o.offset),
      [0, 0],
    );
    assert.deepEqual(
      (await admin.resetOffsets(groupId, topic, { to: 'shift', by: 3 })).map((o) => o.offset),
      [3, 3],
    );
    assert.deepEqual(
      (await admin.resetOffsets(groupId, topic, { to: 'shift', by: 100 })).map((o) => o.offset),
      [10, 6],
      'clamped to the log end',
    );
    assert.deepEqual(
      (await admin.resetOffsets(groupId, topic, { to: 'offset', offset: 4 }, [0])).map((o) => o.offset),
      [4],
    );
    assert.deepEqual(
      (await admin.resetOffsets(groupId, topic, { to: 'timestamp', timestamp: 1_002 })).map((o) => o.offset),
      [2, 2],
    );
    assert.deepEqual(
      (await admin.resetOffsets(groupId, topic, { to: 'latest' })).map((o) => o.offset),
      [10, 6],
    );
    lag = await admin.describeGroupLag(groupId);
    assert.equal(
      lag.reduce((s, l) => s + l.lag, 0),
      0,
    );
    await admin.deleteOffsets(groupId, topic, [1]);
    assert.deepEqual(
      (await admin.fetchOffsets(groupId)).map((o) => [o.partition, o.offset]),
      [[0, 10]],
    );
    await admin.deleteGroups([groupId]);
    assert.ok(!(await admin.listGroups()).some((g) => g.groupId === groupId));
  });
});
