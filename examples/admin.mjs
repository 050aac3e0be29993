// Admin: topics, partitions, configs, cluster, offsets and consumer groups.
// Run: node examples/admin.mjs [bootstrap]
import { Admin } from 'vltava';

const bootstrapServers = process.argv[2] ?? process.env.VLTAVA_BOOTSTRAP ?? 'localhost:9092';
const admin = new Admin({ bootstrapServers });
await admin.connect();

const cluster = await admin.describeCluster();
console.log(`cluster ${cluster.clusterId}, controller ${cluster.controllerId}, brokers ${cluster.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(', ')}`);

const topic = 'example-admin';
if ((await admin.listTopics()).includes(topic)) await admin.deleteTopics([topic]);
await admin.createTopics([{ topic, numPartitions: 2, configs: { 'retention.ms': '3600000' } }]);
await admin.createPartitions([{ topic, count: 4 }]);
const [desc] = await admin.describeTopics([topic]);
console.log(`${desc.name}: ${desc.partitions.length} partitions, leaders ${desc.partitions.map((p) => p.leader).join(',')}`);

await admin.incrementalAlterConfigs([{ type: 'topic', name: topic, operations: [{ name: 'cleanup.policy', op: 'set', value: 'compact' }] }]);
const [cfg] = await admin.describeConfigs([{ type: 'topic', name: topic, keys: ['cleanup.policy', 'retention.ms'] }]);
for (const c of cfg.configs) console.log(`  ${c.name}=${c.value} (${c.source})`);

console.log('offsets', JSON.stringify(await admin.fetchTopicOffsets(topic)));
for (const g of await admin.listGroups()) {
  const lag = await admin.describeGroupLag(g.groupId);
  console.log(`group ${g.groupId} (${g.state}): lag ${lag.reduce((n, l) => n + l.lag, 0)}`);
}
await admin.deleteTopics([topic]);
console.log('deleted', topic);
await admin.close();
