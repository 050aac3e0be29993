// Rebalances with real clients: members leaving or SIGKILLed, restarts resuming from committed
// offsets, static membership, and kafkajs + librdkafka + kafka-python members in one group.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../src/broker/index.js';
import {
  type ClientKind,
  type Member,
  Producer,
  PythonMember,
  seen,
  startGroupBroker,
  startMember,
} from './groups-harness.js';

describe('consumer group failover with real clients', () => {
  let broker: Broker;
  let producer: Producer;
  const members: Member[] = [];
  let n = 0;
  const names = () => ({ topic: `failover-${++n}`, group: `failover-group-${n}` });
  const start = async (
    kind: ClientKind,
    group: string,
    topic: string,
    extra: { sessionTimeoutMs?: number; instanceId?: string; assignor?: 'range' | 'roundrobin' } = {},
  ) => {
    const m = await startMember(kind, { bootstrap: broker.bootstrapServers, group, topics: [topic], ...extra });
    members.push(m);
    return m;
  };
  const committed = (group: string) =>
    new Map(
      broker.context.groups
        .fetchOffsets(group, null)
        .topics.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.committedOffset] as const)),
    );
  const generation = (group: string) => broker.context.groups.store.groups.get(group)!.generationId;

  before(async () => {
    broker = await startGroupBroker();
    producer = await Producer.connect(broker.bootstrapServers);
  });
  after(async () => {
    await Promise.allSettled(members.map((m) => (m instanceof PythonMember ? m.kill() : m.close())));
    await producer.close();
    await broker.close();
  });

  /**
   * Two members share two partitions and consume everything; one leaves (or is SIGKILLed); the
   * survivor must take over the victim's partition exactly at its committed offset, and every
   * record produced is seen by someone.
   */
  async function takeover(kind: ClientKind, how: 'leave' | 'kill') {
    const { topic, group } = names();
    await producer.createTopic(topic, 2);
    const first = await producer.fill(topic, 2, 10);
    const a = await start(kind, group, topic, { sessionTimeoutMs: 1500 });
    await a.waitFor('first assignment', (x) => x.assignment.length === 2);
    const b = await start(kind, group, topic, { sessionTimeoutMs: 1500 });
    await b.waitFor('split', (x) => x.assignment.length === 1 && a.assignment.length === 1);
    await b.waitFor('all of the first batch', () => {
      const s = seen(a, b);
      return first.every((v) => s.has(v));
    });
    const victimPartition = a.assignment[0]![1];
    const survivorRecordsBefore = b.records.length;
    const generationBefore = generation(group);
    if (how === 'leave') await a.close();
    else await (a as PythonMember).kill();
    const atTakeover = committed(group);
    const second = await producer.fill(topic, 2, 10, 10);
    await b.waitFor('takeover', (x) => x.assignment.length === 2);
    await b.waitFor('all records', () => {
      const s = seen(a, b);
      return [...first, ...second].every((v) => s.has(v));
    });
    assert.ok(generation(group) > generationBefore, 'the group rebalanced');
    const taken = b.records.slice(survivorRecordsBefore).filter((r) => r.partition === victimPartition);
    // A SIGKILLed member may have had its last commit on the wire: the broker can apply it just
    // after we read the offsets. So the survivor starts between what we read and one past the
    // victim's last record — at a committed offset, never beyond what was consumed.
    const lastByVictim = Math.max(...a.records.filter((r) => r.partition === victimPartition).map((r) => r.offset));
    assert.ok(taken[0]!.offset >= (atTakeover.get(victimPartition) ?? 0), 'not before the committed offset');
    assert.ok(taken[0]!.offset <= lastByVictim + 1, 'no record skipped');
    if (how === 'leave') assert.equal(taken[0]!.offset, atTakeover.get(victimPartition), 'a clean leave commits first');
    await b.close();
  }

  it('kafka-python: a member leaving triggers a rebalance; the survivor continues from committed offsets', () =>
    takeover('kafka-python', 'leave'));
  it('kafkajs: a member leaving triggers a rebalance; the survivor continues from committed offsets', () =>
    takeover('kafkajs', 'leave'));
  it('confluent-kafka: a SIGKILLed member is dropped after its session; the survivor continues with no record skipped', () =>
    takeover('confluent', 'kill'));
  it('kafka-python: a SIGKILLed member is dropped after its session; the survivor continues with no record skipped', () =>
    takeover('kafka-python', 'kill'));

  for (const kind of ['kafkajs', 'kafka-python', 'confluent'] as const) {
    it(`${kind}: a restarted consumer resumes from its committed offset`, async () => {
      const { topic, group } = names();
      await producer.createTopic(topic, 2);
      const first = await producer.fill(topic, 2, 10);
      const a = await start(kind, group, topic);
      await a.waitFor('first batch', () => seen(a).size === first.length);
      await a.close();
      const atRestart = committed(group);
      assert.deepEqual([...atRestart].sort(), [
        [0, 10],
        [1, 10],
      ]);
      const second = await producer.fill(topic, 2, 5, 10);
      const again = await start(kind, group, topic);
      await again.waitFor('second batch', () => second.every((v) => seen(again).has(v)));
      for (const p of [0, 1]) {
        const offsets = again.records.filter((r) => r.partition === p).map((r) => r.offset);
        assert.equal(Math.min(...offsets), 10, `partition ${p} resumed at the committed offset`);
      }
      await again.close();
    });
  }

  it('confluent-kafka: a static member (group.instance.id) restarting causes no rebalance', async () => {
    const { topic, group } = names();
    await producer.createTopic(topic, 2);
    const a = (await start('confluent', group, topic, {
      instanceId: 'static-a',
      sessionTimeoutMs: 10_000,
    })) as PythonMember;
    await a.waitFor('first assignment', (x) => x.assignment.length === 2);
    const b = (await start('confluent', group, topic, {
      instanceId: 'static-b',
      sessionTimeoutMs: 10_000,
    })) as PythonMember;
    await b.waitFor('split', (x) => x.assignment.length === 1 && a.assignment.length === 1);
    const gen = generation(group);
    const aEvents = a.events.length;
    const bPartition = b.assignment[0]![1];
    await b.kill();
    const b2 = (await start('confluent', group, topic, {
      instanceId: 'static-b',
      sessionTimeoutMs: 10_000,
    })) as PythonMember;
    await b2.waitFor('assignment after restart', (x) => x.assignment.length === 1);
    assert.deepEqual(b2.assignment, [[topic, bPartition]], 'same partition back');
    assert.equal(generation(group), gen, 'no new generation');
    assert.deepEqual(
      a.events.slice(aEvents).filter((e) => e.event !== 'record'),
      [],
      'the other member saw no rebalance',
    );
    const values = await producer.fill(topic, 2, 5);
    await b2.waitFor('both partitions consumed', () => seen(a, b2).size === values.length);
    await Promise.all([a.close(), b2.close()]);
  });

  it('kafkajs, confluent-kafka and kafka-python members cooperate in one group with the shared roundrobin assignor', async () => {
    const { topic, group } = names();
    await producer.createTopic(topic, 6);
    const ms: Member[] = [];
    for (const kind of ['kafkajs', 'confluent', 'kafka-python'] as const) {
      ms.push(await start(kind, group, topic, { assignor: 'roundrobin' }));
      await ms.at(-1)!.waitFor(`${kind} joined`, (x) => x.assignmentCount >= 1);
    }
    await ms[0]!.waitFor('balanced', () => ms.every((m) => m.assignment.length === 2));
    const owned = ms.flatMap((m) => m.assignment.map(([, p]) => p)).sort();
    assert.deepEqual(owned, [0, 1, 2, 3, 4, 5], 'every partition owned exactly once');
    const values = await producer.fill(topic, 6, 5);
    await ms[0]!.waitFor('everything read', () => seen(...ms).size === values.length);
    for (const m of ms) {
      const mine = new Set(m.assignment.map(([, p]) => p));
      assert.ok(
        m.records.every((r) => mine.has(r.partition)),
        'each member reads only its partitions',
      );
    }
    assert.equal(broker.context.groups.describeGroup(group).protocolData, 'roundrobin');
    await Promise.all(ms.map((m) => m.close()));
  });
});
