// Consumer groups with real clients: kafkajs (in-process), kafka-python and confluent-kafka-python
// (librdkafka) as child processes. Partition sharing within a group, independence across groups.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../src/broker/index.js';
import { type ClientKind, type Member, Producer, seen, startGroupBroker, startMember } from './groups-harness.js';

const KINDS: ClientKind[] = ['kafkajs', 'kafka-python', 'confluent'];

describe('consumer groups with kafkajs, kafka-python and confluent-kafka', () => {
  let broker: Broker;
  let producer: Producer;
  const members: Member[] = [];
  let n = 0;
  const names = () => ({ topic: `basic-${++n}`, group: `basic-group-${n}` });
  const start = async (kind: ClientKind, group: string, topic: string) => {
    const m = await startMember(kind, { bootstrap: broker.bootstrapServers, group, topics: [topic] });
    members.push(m);
    return m;
  };

  before(async () => {
    broker = await startGroupBroker();
    producer = await Producer.connect(broker.bootstrapServers);
  });
  after(async () => {
    await Promise.allSettled(members.map((m) => m.close()));
    await producer.close();
    await broker.close();
  });

  for (const kind of KINDS) {
    it(`${kind}: one consumer on a 2-partition topic reads both partitions`, async () => {
      const { topic, group } = names();
      await producer.createTopic(topic, 2);
      const values = await producer.fill(topic, 2, 5);
      const m = await start(kind, group, topic);
      await m.waitFor('both partitions read', () => seen(m).size === values.length);
      assert.deepEqual([...m.assignment].sort(), [
        [topic, 0],
        [topic, 1],
      ]);
      await m.close();
    });

    it(`${kind}: two consumers on a 1-partition topic — one reads everything, the other stays idle`, async () => {
      const { topic, group } = names();
      await producer.createTopic(topic, 1);
      const a = await start(kind, group, topic);
      await a.waitFor('first assignment', (x) => x.assignment.length === 1);
      const b = await start(kind, group, topic);
      // Settled when b has an assignment and the partition is owned by exactly one of them.
      await b.waitFor('rebalance', (x) => x.assignmentCount >= 1 && a.assignmentCount >= 2);
      const owners = [a, b].filter((x) => x.assignment.length === 1);
      assert.equal(owners.length, 1);
      const idle = owners[0] === a ? b : a;
      assert.deepEqual(idle.assignment, []);
      const values = await producer.fill(topic, 1, 10);
      await owners[0]!.waitFor('all records', (x) => seen(x).size === values.length);
      assert.equal(idle.records.length, 0);
      await Promise.all([a.close(), b.close()]);
    });

    it(`${kind}: two consumers on a 2-partition topic — one partition each`, async () => {
      const { topic, group } = names();
      await producer.createTopic(topic, 2);
      const a = await start(kind, group, topic);
      await a.waitFor('first assignment', (x) => x.assignment.length === 2);
      const b = await start(kind, group, topic);
      await b.waitFor('rebalance', (x) => x.assignment.length === 1 && a.assignment.length === 1);
      assert.notDeepEqual(a.assignment, b.assignment);
      const values = await producer.fill(topic, 2, 10);
      await a.waitFor('all records', () => seen(a, b).size === values.length);
      for (const m of [a, b]) {
        const p = m.assignment[0]![1];
        assert.ok(
          m.records.every((r) => r.partition === p),
          `${kind} member read only partition ${p}`,
        );
      }
      await Promise.all([a.close(), b.close()]);
    });
  }

  it('two groups (kafka-python, confluent-kafka) and a third (kafkajs) each read everything', async () => {
    const { topic } = names();
    await producer.createTopic(topic, 2);
    const values = await producer.fill(topic, 2, 10);
    const groups = await Promise.all(
      (['kafka-python', 'confluent', 'kafkajs'] as const).map((kind) => start(kind, `${topic}-${kind}`, topic)),
    );
    await Promise.all(groups.map((m) => m.waitFor('everything', () => seen(m).size === values.length)));
    const more = await producer.fill(topic, 2, 5, 10);
    await Promise.all(
      groups.map((m) => m.waitFor('new records too', () => seen(m).size === values.length + more.length)),
    );
    await Promise.all(groups.map((m) => m.close()));
  });
});
