// At-least-once: process, THEN commit. A crash before the commit re-delivers the records of the
// unfinished batch to whichever member owns the partition next; processing must be idempotent.
// (Auto-commit gives the same guarantee: it commits only records the application finished.)
// Run: node examples/at-least-once.mjs [bootstrap]
import { Consumer, Producer, deserializers, serializers } from 'vltava';

const bootstrapServers = process.argv[2] ?? process.env.VLTAVA_BOOTSTRAP ?? 'localhost:9092';
const topic = 'example-at-least-once';

const producer = new Producer({ bootstrapServers, valueSerializer: serializers.string });
await producer.sendBatch(Array.from({ length: 20 }, (_, i) => ({ topic, value: `job ${i}` })));
await producer.close();

const consumer = new Consumer({
  bootstrapServers,
  groupId: 'example-alo',
  enableAutoCommit: false,
  autoOffsetReset: 'earliest',
  valueDeserializer: deserializers.string,
});
await consumer.subscribe(topic);
let n = 0;
// the batch API: one partition's records at a time
for await (const batch of consumer.batches()) {
  for (const record of batch.records) console.log(`processed ${record.value}`);
  n += batch.records.length;
  // commit after processing: offsets are "next to read"
  const last = batch.records[batch.records.length - 1];
  await consumer.commit([{ topic: batch.topic, partition: batch.partition, offset: last.offset + 1 }]);
  if (n >= 20) break;
}
const [committed] = await consumer.committed([{ topic, partition: 0 }]);
console.log(`committed offset ${committed.offset}`);
await consumer.close();
