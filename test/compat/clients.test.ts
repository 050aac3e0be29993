// Third-party clients against an in-process broker: kcat (librdkafka), kafka-python,
// confluent-kafka-python and kafkajs. Each: create topic, produce keyed and unkeyed records with
// each compression codec the client has, consume from the beginning, list offsets by timestamp,
// describe and alter configs, delete the topic. Findings (what a client cannot do) are in
// test/compat/FINDINGS.md.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { type Broker, startBroker } from '../../src/broker/broker.js';
import { ApiKeys, type ProduceRequest } from '../../src/protocol/messages/index.js';
import { ATTRIBUTES_OFFSET, COMPRESSION_CODEC_MASK } from '../../src/protocol/records/batch-header.js';

const run = promisify(execFile);
let broker: Broker;

before(async () => {
  broker = await startBroker({ port: 0, storage: 'memory', config: { 'group.initial.rebalance.delay.ms': 0 } });
});
after(async () => {
  await broker.close();
});

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const PAD = ` ${'compressible '.repeat(40)}`;

/**
 * The compression codecs of the batches clients send to `topic` from now on (by name), read from
 * the Produce requests as they arrive: a client that falls back to uncompressed batches (as
 * librdkafka before 2.8 does when a broker does not list Produce v0, KAFKA-18659) shows up here.
 */
function watchCodecs(topic: string): { seen: Set<string>; stop: () => void } {
  const seen = new Set<string>();
  const stop = broker.dispatcher.intercept(ApiKeys.Produce, (req) => {
    for (const t of (req as ProduceRequest).topicData) {
      if (t.name !== topic) continue;
      for (const p of t.partitionData) {
        if (p.records !== null && p.records.length > ATTRIBUTES_OFFSET + 1) {
          seen.add(CODECS[p.records.readInt16BE(ATTRIBUTES_OFFSET) & COMPRESSION_CODEC_MASK]!);
        }
      }
    }
    return undefined; // the real handler answers
  });
  return { seen, stop };
}

async function python(name: string, script: string): Promise<Record<string, unknown>> {
  const file = join(tmpdir(), `vltava-compat-${name}-${process.pid}.py`);
  await writeFile(file, script);
  const { stdout } = await run('/usr/bin/python3', [file, broker.bootstrapServers], { timeout: 120_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

describe('compat: kcat (librdkafka)', () => {
  it('produces with every codec, consumes from the beginning, queries offsets by timestamp', async () => {
    const bs = broker.bootstrapServers;
    const topic = 'kcat-compat';
    await run('kcat', ['-b', bs, '-L', '-t', topic]); // auto-creates via Metadata
    const codecs = watchCodecs(topic);
    for (const codec of CODECS) {
      // Compressible values: librdkafka sends a batch uncompressed when compressing would not shrink it.
      const input = `k-${codec}:keyed-${codec}${PAD}\nunkeyed-${codec}${PAD}\n`;
      const child = execFile('kcat', ['-b', bs, '-P', '-t', topic, '-K:', '-z', codec, '-X', 'acks=all']);
      child.stdin!.end(input);
      await new Promise<void>((resolve, reject) =>
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exit ${code}`)))),
      );
    }
    codecs.stop();
    assert.deepEqual([...codecs.seen].sort(), [...CODECS].sort(), 'kcat sent each codec compressed as asked');
    const { stdout } = await run('kcat', ['-b', bs, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%k|%s\n']);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 10);
    assert.ok(lines.includes(`k-zstd|keyed-zstd${PAD}`));
    assert.ok(lines.includes(`|unkeyed-lz4${PAD}`));
    const q = await run('kcat', ['-b', bs, '-Q', '-t', `${topic}:0:${Date.now() - 60_000}`]);
    assert.match(q.stdout, /offset 0/);
  });
});

describe('compat: kafka-python', () => {
  it('administers topics and configs, produces, consumes and finds offsets by timestamp', async () => {
    const out = await python(
      'kafka-python',
      `
import sys, json, time
from kafka import KafkaProducer, KafkaConsumer, KafkaAdminClient, TopicPartition
from kafka.admin import NewTopic, ConfigResource, ConfigResourceType
bs = sys.argv[1]
a = KafkaAdminClient(bootstrap_servers=bs)
a.create_topics([NewTopic('kp-compat', 2, 1, topic_configs={'retention.ms': '100000'})])
codecs = []
for c in [None, 'gzip', 'snappy', 'lz4', 'zstd']:
    try:
        p = KafkaProducer(bootstrap_servers=bs, compression_type=c, acks='all')
    except AssertionError:
        continue  # codec library not installed for this client
    codecs.append(str(c))
    p.send('kp-compat', key=b'k', value=b'keyed-' + str(c).encode())
    p.send('kp-compat', value=b'unkeyed-' + str(c).encode())
    p.flush(); p.close()
c = KafkaConsumer(bootstrap_servers=bs, auto_offset_reset='earliest', consumer_timeout_ms=3000)
tps = [TopicPartition('kp-compat', 0), TopicPartition('kp-compat', 1)]
c.assign(tps); c.seek_to_beginning()
values = sorted(m.value.decode() for m in c)
ts = c.offsets_for_times({tps[0]: int(time.time() * 1000) - 60000, tps[1]: int(time.time() * 1000) - 60000})
c.close()
res = ConfigResource(ConfigResourceType.TOPIC, 'kp-compat')
a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, 'kp-compat', configs={'retention.ms': '200000'})])
described = {e[0]: e[1] for e in a.describe_configs([res])[0].resources[0][4]}
a.delete_topics(['kp-compat'])
print(json.dumps({'codecs': codecs, 'values': values, 'tsFound': sum(1 for v in ts.values() if v is not None), 'retention': described['retention.ms'], 'topics': a.list_topics()}))
`,
    );
    const codecs = out.codecs as string[];
    assert.ok(codecs.includes('None') && codecs.includes('gzip'));
    assert.equal((out.values as string[]).length, codecs.length * 2);
    assert.ok((out.tsFound as number) >= 1);
    assert.equal(out.retention, '200000');
    assert.ok(!(out.topics as string[]).includes('kp-compat'));
  });
});

describe('compat: confluent-kafka-python', () => {
  it('administers topics and configs, produces with every codec, consumes, finds offsets by timestamp', async () => {
    const codecs = watchCodecs('ck-compat');
    const out = await python(
      'confluent',
      `
import sys, json, time
from confluent_kafka import Producer, Consumer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import AdminClient, NewTopic, ConfigResource
bs = sys.argv[1]
a = AdminClient({'bootstrap.servers': bs})
for f in a.create_topics([NewTopic('ck-compat', 3, 1, config={'cleanup.policy': 'delete'})]).values(): f.result()
for codec in ['none', 'gzip', 'snappy', 'lz4', 'zstd']:
    p = Producer({'bootstrap.servers': bs, 'compression.type': codec, 'acks': 'all'})
    p.produce('ck-compat', key=b'k', value=('keyed-' + codec + ' ' + 'compressible ' * 40).encode())
    p.produce('ck-compat', value=('unkeyed-' + codec + ' ' + 'compressible ' * 40).encode())
    assert p.flush(10) == 0
c = Consumer({'bootstrap.servers': bs, 'group.id': 'unused', 'enable.auto.commit': False})
c.assign([TopicPartition('ck-compat', i, OFFSET_BEGINNING) for i in range(3)])
values = []; t0 = time.time()
while len(values) < 10 and time.time() - t0 < 20:
    m = c.poll(0.5)
    if m is not None and not m.error(): values.append(m.value().decode())
ts = c.offsets_for_times([TopicPartition('ck-compat', i, int(time.time() * 1000) - 60000) for i in range(3)])
c.close()
r = ConfigResource('topic', 'ck-compat', set_config={'retention.ms': '12345'})
a.alter_configs([r])[r].result()
d = ConfigResource('topic', 'ck-compat')
desc = a.describe_configs([d])[d].result()
for f in a.delete_topics(['ck-compat']).values(): f.result()
print(json.dumps({'values': sorted(values), 'tsFound': sum(1 for t in ts if t.offset >= 0), 'retention': desc['retention.ms'].value, 'retentionSource': int(desc['retention.ms'].source)}))
`,
    );
    codecs.stop();
    assert.deepEqual(
      [...codecs.seen].sort(),
      [...CODECS].sort(),
      'confluent-kafka sent each codec compressed as asked',
    );
    assert.equal((out.values as string[]).length, 10);
    assert.ok((out.tsFound as number) >= 1);
    assert.equal(out.retention, '12345');
    assert.equal(out.retentionSource, 1);
  });
});

describe('compat: kafkajs', () => {
  it('administers topics and configs, produces with its built-in codecs, consumes from the beginning, lists offsets by timestamp', async () => {
    const kafka = new kafkajs.Kafka({ brokers: [broker.bootstrapServers], logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    assert.equal(await admin.createTopics({ topics: [{ topic: 'kjs-compat', numPartitions: 2 }] }), true);
    const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
    await producer.connect();
    for (const compression of [kafkajs.CompressionTypes.None, kafkajs.CompressionTypes.GZIP]) {
      await producer.send({
        topic: 'kjs-compat',
        acks: -1,
        compression,
        messages: [{ key: 'k', value: 'keyed' }, { value: 'unkeyed' }],
      });
    }
    const offsets = await admin.fetchTopicOffsets('kjs-compat');
    assert.equal(
      offsets.reduce((n, o) => n + Number(o.high), 0),
      4,
    );
    const byTs = await admin.fetchTopicOffsetsByTimestamp('kjs-compat', Date.now() - 60_000);
    assert.ok(byTs.every((o) => Number(o.offset) === 0));

    // kafkajs consumes only through a group: join, read both partitions from the beginning.
    const consumer = kafka.consumer({ groupId: 'kjs-compat-readers', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'kjs-compat', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            seen.push(`${message.key?.toString() ?? ''}=${message.value?.toString()}`);
            if (seen.length === 4) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    assert.deepEqual(seen.sort(), ['=unkeyed', '=unkeyed', 'k=keyed', 'k=keyed']);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name: 'kjs-compat',
          configEntries: [{ name: 'retention.ms', value: '7777' }],
        },
      ],
    });
    const described = await admin.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: 'kjs-compat', configNames: ['retention.ms'] }],
    });
    assert.equal(described.resources[0]!.configEntries[0]!.configValue, '7777');
    await admin.deleteTopics({ topics: ['kjs-compat'] });
    assert.ok(!(await admin.listTopics()).includes('kjs-compat'));
    await producer.disconnect();
    await admin.disconnect();
  });
});
