// Idempotent producers of third-party clients against an in-process broker: kafkajs
// (`idempotent: true`) and confluent-kafka-python / librdkafka (`enable.idempotence`). Both call
// InitProducerId, then produce with sequence numbers the broker checks.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { type Broker, startBroker } from '../../src/broker/broker.js';
import { decodeRecordBatches } from '../../src/protocol/records/decode.js';

const run = promisify(execFile);
let broker: Broker;

before(async () => {
  broker = await startBroker({ port: 0, storage: 'memory' });
});
after(async () => {
  await broker.close();
});

/** Producer ids and values stored in partition 0 of `topic`, read straight from the log. */
async function stored(topic: string): Promise<{ producerIds: Set<bigint>; values: string[] }> {
  const p = broker.context.replicas.getPartition(topic, 0)!;
  const data = await p.log.read(0, { maxBytes: 1 << 24 });
  const batches = decodeRecordBatches(data.records);
  return {
    producerIds: new Set(batches.map((b) => b.producerId)),
    values: batches.flatMap((b) => b.records.map((r) => r.value!.toString())),
  };
}

describe('compat: idempotent producers', () => {
  it('kafkajs with idempotent: true', async () => {
    const kafka = new kafkajs.Kafka({ brokers: [broker.bootstrapServers], logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kjs-idem', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    for (let i = 0; i < 3; i++)
      await producer.send({ topic: 'kjs-idem', acks: -1, messages: [{ value: `kjs-${i}a` }, { value: `kjs-${i}b` }] });
    await producer.disconnect();
    const { producerIds, values } = await stored('kjs-idem');
    assert.deepEqual(values, ['kjs-0a', 'kjs-0b', 'kjs-1a', 'kjs-1b', 'kjs-2a', 'kjs-2b']);
    assert.equal(producerIds.size, 1);
    assert.ok([...producerIds][0]! >= 0n, 'batches carry the producer id from InitProducerId');
  });

  it('confluent-kafka-python with enable.idempotence=True', async () => {
    const file = join(tmpdir(), `vltava-compat-idem-${process.pid}.py`);
    await writeFile(
      file,
      `
import sys, json
from confluent_kafka import Producer
errors = []
p = Producer({'bootstrap.servers': sys.argv[1], 'enable.idempotence': True, 'linger.ms': 5})
def cb(err, msg):
    if err is not None: errors.append(str(err))
for i in range(200):
    p.produce('ck-idem', value=('ck-%d' % i).encode(), partition=0, on_delivery=cb)
p.flush(30)
print(json.dumps({'errors': errors, 'left': len(p)}))
`,
    );
    await run('kcat', ['-b', broker.bootstrapServers, '-L', '-t', 'ck-idem']); // auto-create
    const { stdout } = await run('/usr/bin/python3', [file, broker.bootstrapServers], { timeout: 60_000 });
    const out = JSON.parse(stdout.trim().split('\n').pop()!);
    assert.deepEqual(out, { errors: [], left: 0 });
    const { producerIds, values } = await stored('ck-idem');
    assert.deepEqual(
      values,
      Array.from({ length: 200 }, (_, i) => `ck-${i}`),
    );
    assert.equal(producerIds.size, 1);
    assert.ok([...producerIds][0]! >= 0n);
  });
});
