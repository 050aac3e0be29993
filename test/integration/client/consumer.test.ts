import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../../src/broker/broker.js';
import { Admin } from '../../../src/client/admin/admin.js';
import { Consumer, type ConsumerRecord } from '../../../src/client/consumer/consumer.js';
import { Producer } from '../../../src/client/producer/producer.js';
import { deserializers, serializers } from '../../../src/client/producer/serializers.js';
import { silentLogger } from '../../../src/common/logger.js';
import { Changes, startTestBroker, stopTestBroker } from './helpers.js';
import diagnostics from 'node:diagnostics_channel';

let broker: Broker;
let admin: Admin;
let producer: Producer<string, string>;
const logger = silentLogger();

before(async () => {
  broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': 0 });
  admin = new Admin({ bootstrapServers: broker.bootstrapServers, logger });
  await admin.connect();
  producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    logger,
    keySerializer: serializers.string,
    valueSerializer: serializers.string,
    lingerMs: 1,
  });
});
after(async () => {
  await producer.close();
  await admin.close();
  await stopTestBroker(broker);
});

const consumerOpts = () => ({
  bootstrapServers: broker.bootstrapServers,
  logger,
  keyDeserializer: deserializers.string,
  valueDeserializer: deserializers.string,
  fetchMaxWaitMs: 50,
});

async function produce(topic: string, n: number, from = 0, partition?: number): Promise<void> {
  await producer.sendBatch(
    Array.from({ length: n }, (_, i) => ({
      topic,
      key: `k${from + i}`,
      value: `v${from + i}`,
      partition,
      timestamp: 1_000_000 + from + i,
    })),
  );
}

async function take<K, V>(c: Consumer<K, V>, n: number): Promise<ConsumerRecord<K, V>[]> {
  const out: ConsumerRecord<K, V>[] = [];
  for await (const r of c) {
    out.push(r);
    if (out.length === n) break;
  }
  return out;
}

describe('consumer without a group (manual assignment)', () => {
  it('reads a partition from the beginning in order, seeks by offset and timestamp, pauses and resumes', async () => {
    const topic = 'c-manual';
    await admin.createTopics([{ topic, numPartitions: 2 }]);
    await produce(topic, 50, 0, 0);
    await produce(topic, 10, 50, 1);
    const c = new Consumer({ ...consumerOpts(), autoOffsetReset: 'earliest' });
    await c.assign([{ topic, partition: 0 }]);
    const first = await take(c, 50);
    assert.deepEqual(
      first.map((r) => r.offset),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.equal(first[3]!.value, 'v3');
    assert.equal(first[3]!.key, 'k3');
    c.seek({ topic, partition: 0 }, 45);
    assert.deepEqual(
      (await take(c, 5)).map((r) => r.offset),
      [45, 46, 47, 48, 49],
    );
    await c.seekToTimestamp([{ topic, partition: 0 }], 1_000_010);
    assert.equal((await take(c, 1))[0]!.offset, 10);
    await c.assign([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    c.pause([{ topic, partition: 0 }]);
    await c.seekToBeginning([{ topic, partition: 1 }]);
    const p1 = await take(c, 10);
    assert.ok(p1.every((r) => r.partition === 1));
    assert.deepEqual(c.paused(), [{ topic, partition: 0 }]);
    c.resume([{ topic, partition: 0 }]);
    const rest = await take(c, 39);
    assert.ok(rest.every((r) => r.partition === 0));
    assert.equal(rest[0]!.offset, 11);
    await c.close();
  });

  it('latest reset starts at the end; poll waits for new records', async () => {
    const topic = 'c-latest';
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    await produce(topic, 5);
    const c = new Consumer({ ...consumerOpts() });
    await c.assign([{ topic, partition: 0 }]);
    assert.deepEqual(await c.poll({ timeoutMs: 50 }), []);
    const waiting = c.poll({ timeoutMs: 5_000 });
    await produce(topic, 2, 5);
    const got = await waiting;
    assert.deepEqual(
      got.map((r) => r.offset),
      [5, 6],
    );
    await c.close();
  });

  it('auto.offset.reset none surfaces an error until the application seeks', async () => {
    const topic = 'c-none';
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    const c = new Consumer({ ...consumerOpts(), autoOffsetReset: 'none' });
    await c.assign([{ topic, partition: 0 }]);
    await assert.rejects(c.poll({ timeoutMs: 10 }), /auto.offset.reset is 'none'/);
    await c.close();
  });
});

describe('consumer groups', () => {
  it('a restarted consumer resumes at the committed offset (auto-commit on close)', async () => {
    const topic = 'c-resume';
    await admin.createTopics([{ topic, numPartitions: 3 }]);
    await produce(topic, 30);
    const c1 = new Consumer({ ...consumerOpts(), groupId: 'g-resume', autoOffsetReset: 'earliest' });
    await c1.subscribe([topic]);
    const got = await take(c1, 30);
    assert.equal(new Set(got.map((r) => r.value)).size, 30);
    await c1.close();
    const lag = await admin.describeGroupLag('g-resume');
    assert.equal(
      lag.reduce((s, l) => s + l.lag, 0),
      0,
      'everything processed was committed',
    );
    await produce(topic, 5, 30);
    const c2 = new Consumer({ ...consumerOpts(), groupId: 'g-resume', autoOffsetReset: 'earliest' });
    await c2.subscribe(topic);
    const more = await take(c2, 5);
    assert.deepEqual(more.map((r) => r.value).sort(), ['v30', 'v31', 'v32', 'v33', 'v34']);
    await c2.close();
  });

  for (const assignor of ['range', 'roundrobin', 'cooperative-sticky'] as const) {
    it(`${assignor}: members share partitions exactly once, and survivors take over when one leaves`, async () => {
      const topic = `c-group-${assignor}`;
      const groupId = `g-${assignor}`;
      await admin.createTopics([{ topic, numPartitions: 6 }]);
      const assigned = new Map<Consumer<string, string>, Set<string>>();
      const changes = new Changes();
      diagnostics.subscribe('vltava:client:rebalance', changes.poke);
      const make = () => {
        const c: Consumer<string, string> = new Consumer({
          ...consumerOpts(),
          groupId,
          assignors: [assignor],
          autoOffsetReset: 'earliest',
          heartbeatIntervalMs: 100,
          rebalanceListener: {
            onAssigned: (tps) => {
              for (const tp of tps) assigned.get(c)!.add(`${tp.partition}`);
              changes.poke();
            },
            onRevoked: (tps) => {
              for (const tp of tps) assigned.get(c)!.delete(`${tp.partition}`);
              changes.poke();
            },
          },
        });
        assigned.set(c, new Set());
        return c;
      };
      const members = [make(), make(), make()];
      for (const m of members) await m.subscribe(topic);
      // everyone polls until the group is stable: six partitions, each with exactly one owner
      const ac = new AbortController();
      const seen = new Map<string, string>();
      const record = (r: ConsumerRecord<string, string>) => {
        seen.set(r.value!, `${r.partition}`);
        changes.poke();
      };
      const loops = members.map((m) => m.run({ signal: ac.signal, eachMessage: record }));
      await produce(topic, 60);
      await changes.until(() => {
        const owners = [...assigned.values()].flatMap((s) => [...s]);
        return (
          owners.length === 6 &&
          new Set(owners).size === 6 &&
          seen.size >= 60 &&
          members.every((m) => !m.membership!.needsRejoin)
        );
      }, 'a stable group with every partition owned once');
      for (const m of members) assert.ok(assigned.get(m)!.size >= 1, 'every member got partitions');
      ac.abort();
      await Promise.all(loops);
      await members[2]!.close();
      const ac2 = new AbortController();
      const loops2 = members.slice(0, 2).map((m) => m.run({ signal: ac2.signal, eachMessage: record }));
      await produce(topic, 60, 60);
      await changes.until(() => seen.size >= 120, 'the survivors to consume everything');
      assert.equal(seen.size, 120, 'the survivors consumed every record');
      ac2.abort();
      await Promise.all(loops2);
      await Promise.all(members.slice(0, 2).map((m) => m.close()));
      diagnostics.unsubscribe('vltava:client:rebalance', changes.poke);
    });
  }
});

describe('incremental rebalancing', () => {
  for (const [assignor, revokedByFirst] of [
    ['cooperative-sticky', 2],
    ['range', 4],
  ] as const) {
    it(`${assignor}: when a second member joins, the first revokes ${revokedByFirst} of its 4 partitions`, async () => {
      const topic = `c-incremental-${assignor}`;
      await admin.createTopics([{ topic, numPartitions: 4 }]);
      const changes = new Changes();
      const revoked: number[][] = [];
      const owned = [new Set<number>(), new Set<number>()];
      const make = (i: number) =>
        new Consumer({
          ...consumerOpts(),
          groupId: `g-incremental-${assignor}`,
          assignors: [assignor],
          heartbeatIntervalMs: 50,
          rebalanceListener: {
            onAssigned: (tps) => {
              for (const tp of tps) owned[i]!.add(tp.partition);
              changes.poke();
            },
            onRevoked: (tps) => {
              if (i === 0) revoked.push(tps.map((tp) => tp.partition));
              for (const tp of tps) owned[i]!.delete(tp.partition);
              changes.poke();
            },
          },
        });
      const [c1, c2] = [make(0), make(1)];
      const ac = new AbortController();
      await c1.subscribe(topic);
      const loop1 = c1.run({ signal: ac.signal, eachMessage: () => {} });
      await changes.until(() => owned[0]!.size === 4, 'the first member to own all partitions');
      await c2.subscribe(topic);
      const loop2 = c2.run({ signal: ac.signal, eachMessage: () => {} });
      await changes.until(() => owned[0]!.size === 2 && owned[1]!.size === 2, 'two partitions each');
      assert.equal(revoked.flat().length, revokedByFirst);
      if (assignor === 'cooperative-sticky') {
        const kept = [...owned[0]!];
        assert.ok(
          kept.every((p) => !revoked.flat().includes(p)),
          'kept partitions were never revoked',
        );
      }
      ac.abort();
      await Promise.all([loop1, loop2]);
      await Promise.all([c1.close(), c2.close()]);
    });
  }
});
