// Producer: typed serializers, keys, headers, per-record delivery promises and a batch send.
// Run: node examples/producer.mjs [bootstrap]   (default localhost:9092; or VLTAVA_BOOTSTRAP)
import { Admin, Producer, serializers } from 'vltava';

const bootstrapServers = process.argv[2] ?? process.env.VLTAVA_BOOTSTRAP ?? 'localhost:9092';
const topic = 'example-orders';

const admin = new Admin({ bootstrapServers });
await admin.connect();
if (!(await admin.listTopics()).includes(topic)) await admin.createTopics([{ topic, numPartitions: 3 }]);
await admin.close();

const producer = new Producer({
  bootstrapServers,
  keySerializer: serializers.string,
  valueSerializer: serializers.json,
  compression: 'lz4',
  lingerMs: 5,
});

// one record: the promise settles when the broker has it (acks=all by default)
const first = await producer.send({ topic, key: 'order-1', value: { total: 42 }, headers: { source: 'example' } });
console.log(`order-1 -> partition ${first.partition} offset ${first.offset}`);

// many records: sent in batches, the same key always lands on the same partition
const results = await producer.sendBatch(
  Array.from({ length: 9 }, (_, i) => ({ topic, key: `order-${i + 2}`, value: { total: i * 10 } })),
);
for (const r of results) console.log(`partition ${r.partition} offset ${r.offset}`);
console.log(`idempotent: ${producer.idempotent}`);
await producer.close();
console.log('produced 10 records');
