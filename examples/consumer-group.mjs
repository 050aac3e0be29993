// Consumer group: two members share a topic's partitions; each prints what it is assigned.
// Run: node examples/consumer-group.mjs [bootstrap]
import { Admin, Consumer, Producer, deserializers, serializers } from 'vltava';

const bootstrapServers = process.argv[2] ?? process.env.VLTAVA_BOOTSTRAP ?? 'localhost:9092';
const topic = 'example-events';
const groupId = 'example-group';

const admin = new Admin({ bootstrapServers });
await admin.connect();
if (!(await admin.listTopics()).includes(topic)) await admin.createTopics([{ topic, numPartitions: 4 }]);

const producer = new Producer({ bootstrapServers, keySerializer: serializers.string, valueSerializer: serializers.string });
await producer.sendBatch(Array.from({ length: 40 }, (_, i) => ({ topic, key: `k${i}`, value: `event ${i}` })));
await producer.close();

const member = (name) =>
  new Consumer({
    bootstrapServers,
    groupId,
    clientId: name,
    autoOffsetReset: 'earliest',
    assignors: ['cooperative-sticky'],
    valueDeserializer: deserializers.string,
    rebalanceListener: {
      onAssigned: (tps) => console.log(`${name} assigned ${tps.map((t) => `${t.topic}-${t.partition}`).join(', ')}`),
      onRevoked: (tps) => console.log(`${name} revoked ${tps.map((t) => `${t.topic}-${t.partition}`).join(', ')}`),
    },
  });

const members = [member('member-a'), member('member-b')];
const stop = new AbortController();
let consumed = 0;
await Promise.all(
  members.map(async (c) => {
    await c.subscribe(topic);
    // run() hands records to the handler one at a time; auto-commit commits what it finished
    await c.run({
      signal: stop.signal,
      eachMessage: () => {
        if (++consumed === 40) stop.abort();
      },
    });
  }),
);
for (const c of members) await c.close();
const lag = await admin.describeGroupLag(groupId);
console.log(`consumed ${consumed} records; group lag ${lag.reduce((n, l) => n + l.lag, 0)}`);
await admin.close();
