/**
 * The cluster metadata the broker needs (topics with ids, partition assignments and leadership,
 * topic configs, dynamic broker configs, cluster id) and the narrow interface of a store for it.
 * `local` (this folder) keeps it in the data dir for a single node; a ZooKeeper backend will
 * implement the same interface with Kafka's znode layout.
 */

export interface PartitionState {
  partition: number;
  /** Broker ids holding a replica, preferred leader first. */
  replicas: number[];
  /** -1 when no leader is available. */
  leader: number;
  leaderEpoch: number;
  isr: number[];
  /** Bumped on every change of this record (Kafka's partition epoch / zkVersion). */
  partitionEpoch: number;
}

export interface TopicState {
  name: string;
  /** 16-byte topic id. */
  topicId: Buffer;
  partitions: PartitionState[];
  /** Topic config overrides (validated text values, Kafka's names). */
  configs: Map<string, string>;
}

export interface BrokerRegistration {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export type MetadataChange =
  | { type: 'topic-created'; topic: TopicState }
  | { type: 'topic-deleted'; topic: TopicState }
  | { type: 'partitions-added'; topic: TopicState; from: number }
  | { type: 'topic-configs-changed'; topic: TopicState }
  | { type: 'partition-changed'; topic: TopicState; partition: number }
  | { type: 'broker-configs-changed'; scope: 'default' | number };

/**
 * Concurrency contract: mutations are serialized by the store; each resolves after the change is
 * durable (persisted) and after listeners have seen it. Reads are synchronous snapshots of the
 * last committed state.
 */
export interface MetadataStore {
  readonly clusterId: string;
  /** This broker's id, assigned by the store when broker.id = -1. */
  readonly nodeId: number;
  /** Controller id (the node itself on a single node). */
  readonly controllerId: number;

  topics(): Iterable<TopicState>;
  topic(name: string): TopicState | undefined;
  topicById(topicId: Buffer): TopicState | undefined;
  brokers(): BrokerRegistration[];

  createTopic(topic: Omit<TopicState, 'topicId'> & { topicId?: Buffer }): Promise<TopicState>;
  deleteTopic(name: string): Promise<TopicState | undefined>;
  addPartitions(name: string, partitions: PartitionState[]): Promise<TopicState>;
  setTopicConfigs(name: string, configs: Map<string, string>): Promise<TopicState>;
  updatePartition(name: string, state: PartitionState): Promise<void>;

  brokerConfigs(scope: 'default' | number): Map<string, string>;
  setBrokerConfigs(scope: 'default' | number, configs: Map<string, string>): Promise<void>;

  /**
   * Reserves the next `count` producer ids (Kafka's producer-id block, /latest_producer_id_block
   * in ZooKeeper). Durable before it resolves, so a restarted broker never hands out an id twice.
   */
  allocateProducerIdBlock(count: number): Promise<{ firstProducerId: number; count: number }>;

  onChange(listener: (change: MetadataChange) => void): () => void;
  close(): Promise<void>;
}
