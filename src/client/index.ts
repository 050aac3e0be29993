/**
 * Vltava's Kafka client: Producer, Consumer and Admin over the project's protocol layer.
 * See docs/client.md for the API, defaults and delivery patterns.
 */
export {
  Admin,
  type AdminOptions,
  type NewTopic,
  type TopicDescription,
  type ConfigResource,
  type ConfigEntry,
  type ClusterDescription,
  type LogDirDescription,
} from './admin/admin.js';
export type { GroupDescription, GroupListing, PartitionLag, ResetTo } from './admin/groups.js';
export {
  type Assignor,
  type MemberSubscription,
  cooperativeStickyAssignor,
  rangeAssignor,
  roundRobinAssignor,
} from './consumer/assignors.js';
export {
  Consumer,
  type ConsumerBatch,
  type ConsumerOptions,
  type ConsumerRecord,
  type RebalanceListener,
  type TopicPartition,
} from './consumer/consumer.js';
export type { CommitOffset } from './consumer/membership.js';
export { ClientError, type ClientErrorCode, KafkaError, isRetriable } from './errors.js';
export { Connection } from './net/connection.js';
export { Cluster } from './net/cluster.js';
export type { RequestEvent } from './net/diagnostics.js';
export type { ClientOptions } from './options.js';
export {
  murmur2,
  murmur2Partition,
  type Partitioner,
  type PartitionerArgs,
  roundRobinPartitioner,
} from './producer/partitioners.js';
export {
  type Compression,
  Producer,
  type ProducerOptions,
  type ProducerRecord,
  type RecordMetadata,
} from './producer/producer.js';
export {
  type Deserializer,
  deserializers,
  jsonDeserializer,
  jsonSerializer,
  type Serializer,
  serializers,
} from './producer/serializers.js';
