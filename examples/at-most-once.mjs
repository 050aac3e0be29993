// At-most-once: commit a record's offset BEFORE processing it. A crash during processing loses
// that record (the group resumes after it) but never processes it twice.
// Run: node examples/at-most-once.mjs [bootstrap]
import { Consumer, Producer, deserializers, serializers } from 'vltava';

const bootstrapServers = process.argv[2] ?? process.env.VLTAVA_BOOTSTRAP ?? 'localhost:9092';
const topic = 'example-at-most-once';

const producer = new Producer({ bootstrapServers, valueSerializer: serializers.string });
await producer.sendBatch(Array.from({ length: 5 }, (_, i) => ({ topic, value: `payment ${i}` })));
await producer.close();

const consumer = new Consumer({
  bootstrapServers,
  groupId: 'example-amo',
  enableAutoCommit: false, // we decide when offsets are committed
  autoOffsetReset: 'earliest',
  valueDeserializer: deserializers.string,
});
await consumer.subscribe(topic);
let n = 0;
for await (const record of consumer) {
  // 1. commit first: the next offset to read is record.offset + 1
  await consumer.commit([{ topic: record.topic, partition: record.partition, offset: record.offset + 1 }]);
  // 2. then process
  console.log(`processed ${record.value} (offset ${record.offset})`);
  if (++n === 5) break;
}
await consumer.close();
