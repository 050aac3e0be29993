// Our consumer in one group with kafkajs and librdkafka (confluent-kafka-python) members.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, PartitionAssigners } from 'kafkajs';
import type { Broker } from '../../../src/broker/broker.js';
import { Admin } from '../../../src/client/admin/admin.js';
import { roundRobinAssignor } from '../../../src/client/consumer/assignors.js';
import { Consumer } from '../../../src/client/consumer/consumer.js';
import { Producer } from '../../../src/client/producer/producer.js';
import { deserializers, serializers } from '../../../src/client/producer/serializers.js';
import { silentLogger } from '../../../src/common/logger.js';
import { Changes, run, startTestBroker, stopTestBroker } from './helpers.js';
import diagnostics from 'node:diagnostics_channel';

const here = dirname(fileURLToPath(import.meta.url));
// the fixture lives in the source tree (tsc does not copy .py files)
const script = join(here, '../../../../test/integration/client/fixtures/rdkafka-member.py');

let broker: Broker;
let admin: Admin;
const logger = silentLogger();

before(async () => {
  broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': 0 });
  admin = new Admin({ bootstrapServers: broker.bootstrapServers, logger });
  await admin.connect();
});
after(async () => {
  await admin.close();
  await stopTestBroker(broker);
});

describe('client interop in one consumer group', () => {
  it('vltava, kafkajs and librdkafka members split a topic with the roundrobin protocol and consume every record', async () => {
    const topic = 'interop-group';
    const groupId = 'g-interop';
    await admin.createTopics([{ topic, numPartitions: 6 }]);
    const changes = new Changes();
    const seen = new Map<string, string>();
    const note = (who: string, value: string) => {
      seen.set(value, who);
      changes.poke();
    };

    // ours first: it becomes the leader and runs the assignment for everyone
    const ours = new Consumer({
      bootstrapServers: broker.bootstrapServers,
      logger,
      groupId,
      assignors: [roundRobinAssignor],
      autoOffsetReset: 'earliest',
      heartbeatIntervalMs: 100,
      valueDeserializer: deserializers.string,
      fetchMaxWaitMs: 50,
    });
    await ours.subscribe(topic);
    diagnostics.subscribe('vltava:client:rebalance', changes.poke);
    const ac = new AbortController();
    const oursLoop = ours.run({ signal: ac.signal, eachMessage: (r) => note('vltava', r.value!) });

    const kafka = new Kafka({
      brokers: [broker.bootstrapServers],
      clientId: 'kafkajs-member',
      logLevel: logLevel.NOTHING,
    });
    // kafkajs calls its round-robin "RoundRobinAssigner"; rename it to the protocol name the others use
    const kjs = kafka.consumer({
      groupId,
      heartbeatInterval: 200,
      maxWaitTimeInMs: 100, // kafkajs heartbeats between fetches: a 5 s long poll would hold up every rebalance
      partitionAssigners: [(cfg) => ({ ...PartitionAssigners.roundRobin(cfg), name: 'roundrobin' })],
    });
    await kjs.connect();
    await kjs.subscribe({ topic, fromBeginning: true });
    await kjs.run({ eachMessage: async ({ message }) => note('kafkajs', message.value!.toString()) });

    const py = spawn('/usr/bin/python3', [script, broker.bootstrapServers, groupId, topic, 'roundrobin'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let rdAssigned = -1;
    let pending = '';
    py.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const l of lines) {
        const m = JSON.parse(l);
        if (m.assigned) rdAssigned = m.assigned.length;
        else note('rdkafka', m.value);
      }
      changes.poke();
    });

    let kjsAssigned = -1;
    kjs.on(kjs.events.GROUP_JOIN, (e) => {
      kjsAssigned = Object.values(e.payload.memberAssignment).reduce((n, ps) => n + ps.length, 0);
      changes.poke();
    });
    // every member reports its assignment (our rebalance events, kafkajs GROUP_JOIN, the script's
    // on_assign line); roundrobin over 6 partitions and 3 members settles at 2 each
    await changes.until(
      () => ours.assignment().length === 2 && kjsAssigned === 2 && rdAssigned === 2,
      'a three-member generation with two partitions each',
      30_000,
    );
    const [g] = await admin.describeGroups([groupId]);
    const state = {
      g: g!,
      ok:
        g!.members.length === 3 &&
        new Set(g!.members.flatMap((m) => m.assignment.map((tp) => tp.partition))).size === 6,
    };
    assert.ok(state.ok, `group did not stabilise: ${JSON.stringify(state.g)}`);
    assert.deepEqual(state.g.members.map((m) => m.clientId).sort(), ['kafkajs-member', 'rdkafka-member', 'vltava']);
    assert.ok(
      state.g.members.every((m) => m.assignment.length === 2),
      'roundrobin gives each member two partitions',
    );

    const producer = new Producer({
      bootstrapServers: broker.bootstrapServers,
      logger,
      keySerializer: serializers.string,
      valueSerializer: serializers.string,
    });
    await producer.sendBatch(Array.from({ length: 120 }, (_, i) => ({ topic, key: `key-${i}`, value: `v${i}` })));
    await producer.close();
    await changes.until(() => seen.size === 120, 'every record consumed by some member');
    const byMember = new Set(seen.values());
    assert.deepEqual([...byMember].sort(), ['kafkajs', 'rdkafka', 'vltava'], 'each client consumed its share');

    py.stdin.end();
    await new Promise((r) => py.once('exit', r));
    await kjs.disconnect();
    ac.abort();
    await oursLoop;
    await ours.close();
    diagnostics.unsubscribe('vltava:client:rebalance', changes.poke);
  });
});

describe('reading what other clients wrote', () => {
  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
    it(`consumes ${codec} batches produced by kcat (librdkafka), keys and headers intact`, async () => {
      const topic = `interop-kcat-${codec}`;
      await admin.createTopics([{ topic, numPartitions: 1 }]);
      const lines = Array.from({ length: 50 }, (_, i) => `key-${i}:value-${i}`).join('\n');
      await run(
        'kcat',
        ['-b', broker.bootstrapServers, '-P', '-t', topic, '-K', ':', '-z', codec, '-H', 'origin=kcat'],
        `${lines}\n`,
      );
      const c = new Consumer({
        bootstrapServers: broker.bootstrapServers,
        logger,
        autoOffsetReset: 'earliest',
        keyDeserializer: deserializers.string,
        valueDeserializer: deserializers.string,
      });
      await c.assign([{ topic, partition: 0 }]);
      const got: Array<[string | null, string | null]> = [];
      for await (const r of c) {
        assert.deepEqual(
          r.headers.map((h) => [h.key, h.value?.toString()]),
          [['origin', 'kcat']],
        );
        if (got.push([r.key, r.value]) === 50) break;
      }
      assert.deepEqual(got[49], ['key-49', 'value-49']);
      await c.close();
    });
  }

  it('consumes records produced by kafkajs with gzip', async () => {
    const topic = 'interop-kafkajs-gzip';
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    const { CompressionTypes } = await import('kafkajs');
    const kafka = new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING });
    const p = kafka.producer();
    await p.connect();
    await p.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { n: `${i}` } })),
    });
    await p.disconnect();
    const c = new Consumer({
      bootstrapServers: broker.bootstrapServers,
      logger,
      autoOffsetReset: 'earliest',
      valueDeserializer: deserializers.string,
    });
    await c.assign([{ topic, partition: 0 }]);
    const values: string[] = [];
    for await (const r of c) if (values.push(r.value!) === 20) break;
    assert.deepEqual(
      values,
      Array.from({ length: 20 }, (_, i) => `v${i}`),
    );
    await c.close();
  });
});
