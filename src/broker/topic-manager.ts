/**
 * TopicManager: creating, deleting and growing topics (the controller's work on a single node),
 * shared by CreateTopics, DeleteTopics, CreatePartitions and Metadata's auto-creation.
 * Validates names and configs as Kafka does, assigns replicas, commits to the metadata store, then
 * brings up the local replicas. Throws KafkaProtocolError with Kafka's codes and messages.
 * Concurrency: event-loop; the metadata store serializes commits, and a create of a name already
 * being created waits for the first (auto-creation from many Metadata requests at once).
 */
import type { BrokerConfig } from '../common/config/broker-config.js';
import { TopicConfig, validateTopicConfigs } from '../common/config/topic-config.js';
import type { Logger } from '../common/logger.js';
import { E, KafkaProtocolError } from './errors.js';
import type { MetadataStore, PartitionState, TopicState } from './metadata/metadata-store.js';
import type { ReplicaManager } from './replica/replica-manager.js';

const LEGAL_CHARS = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME_LENGTH = 249;
export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);

/** Kafka's Topic.validate: throws INVALID_TOPIC_EXCEPTION with Kafka's message. */
export function validateTopicName(name: string): void {
  const bad = (why: string) => new KafkaProtocolError(E.INVALID_TOPIC_EXCEPTION, why);
  if (name.length === 0) throw bad('Topic name is illegal, it can\'t be empty');
  if (name === '.' || name === '..') throw bad('Topic name cannot be "." or ".."');
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw bad(`Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`);
  }
  if (!LEGAL_CHARS.test(name)) {
    throw bad(`Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`);
  }
}

/** '.' and '_' collide in metric names, so Kafka refuses topics differing only by them. */
const collisionKey = (name: string) => name.replace(/\./g, '_');

export interface CreateTopicSpec {
  name: string;
  /** -1 = num.partitions */
  numPartitions: number;
  /** -1 = default.replication.factor */
  replicationFactor: number;
  /** Explicit assignment: replicas per partition index. */
  assignments?: number[][];
  configs?: Map<string, string | null>;
}

export class TopicManager {
  private readonly creating = new Map<string, Promise<TopicState>>();

  constructor(
    private readonly nodeId: number,
    private readonly config: BrokerConfig,
    private readonly metadata: MetadataStore,
    private readonly replicas: ReplicaManager,
    private readonly logger: Logger,
  ) {}

  topicConfig(topic: TopicState): TopicConfig {
    return new TopicConfig(this.config, topic.configs);
  }

  /** Validates a create; returns what would be created. Throws KafkaProtocolError. */
  validateCreate(spec: CreateTopicSpec): { partitions: PartitionState[]; configs: Map<string, string>; replicationFactor: number } {
    validateTopicName(spec.name);
    if (this.metadata.topic(spec.name) !== undefined || this.creating.has(spec.name)) {
      throw new KafkaProtocolError(E.TOPIC_ALREADY_EXISTS, `Topic '${spec.name}' already exists.`);
    }
    const key = collisionKey(spec.name);
    for (const t of this.metadata.topics()) {
      if (collisionKey(t.name) === key) {
        throw new KafkaProtocolError(E.INVALID_TOPIC_EXCEPTION, `Topic '${spec.name}' collides with existing topic: ${t.name}`);
      }
    }
    let configs: Map<string, string>;
    try {
      configs = validateTopicConfigs(spec.configs ?? new Map());
    } catch (err) {
      throw new KafkaProtocolError(E.INVALID_CONFIG, (err as Error).message);
    }
    const brokers = this.metadata.brokers().map((b) => b.nodeId);
    let assignments: number[][];
    if (spec.assignments && spec.assignments.length > 0) {
      if (spec.numPartitions !== -1 || spec.replicationFactor !== -1) {
        throw new KafkaProtocolError(E.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
      }
      assignments = spec.assignments;
      for (const [i, replicas] of assignments.entries()) {
        if (replicas.length === 0 || new Set(replicas).size !== replicas.length || replicas.some((r) => !brokers.includes(r))) {
          throw new KafkaProtocolError(E.INVALID_REPLICA_ASSIGNMENT, `Invalid replica assignment for partition ${i}: ${replicas.join(',')}`);
        }
      }
    } else {
      const n = spec.numPartitions === -1 ? this.config.int('num.partitions') : spec.numPartitions;
      const rf = spec.replicationFactor === -1 ? this.config.int('default.replication.factor') : spec.replicationFactor;
      if (n <= 0) throw new KafkaProtocolError(E.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
      if (rf <= 0) throw new KafkaProtocolError(E.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
      if (rf > brokers.length) {
        throw new KafkaProtocolError(E.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${brokers.length} broker(s) are registered.`);
      }
      assignments = this.assignReplicas(n, rf, brokers, 0);
    }
    const partitions = assignments.map((replicas, partition) => ({
      partition,
      replicas,
      leader: replicas[0]!,
      leaderEpoch: 0,
      isr: [...replicas],
      partitionEpoch: 0,
    }));
    return { partitions, configs, replicationFactor: assignments[0]?.length ?? 0 };
  }

  /** Round-robin placement starting at `startPartition`'s slot (rack-aware placement: controller work). */
  private assignReplicas(numPartitions: number, rf: number, brokers: number[], startPartition: number): number[][] {
    const sorted = [...brokers].sort((a, b) => a - b);
    const out: number[][] = [];
    for (let i = 0; i < numPartitions; i++) {
      const p = startPartition + i;
      out.push(Array.from({ length: rf }, (_, r) => sorted[(p + r) % sorted.length]!));
    }
    return out;
  }

  async createTopic(spec: CreateTopicSpec): Promise<TopicState> {
    const pending = this.creating.get(spec.name);
    if (pending) return pending;
    const { partitions, configs } = this.validateCreate(spec);
    const p = (async () => {
      const topic = await this.metadata.createTopic({ name: spec.name, partitions, configs });
      await this.replicas.becomeLeaderOrFollower(topic, this.topicConfig(topic));
      this.logger.info({ topic: topic.name, partitions: partitions.length }, 'created topic');
      return topic;
    })();
    this.creating.set(spec.name, p);
    try {
      return await p;
    } finally {
      this.creating.delete(spec.name);
    }
  }

  /** Metadata / Produce auto-creation with broker defaults; undefined if not allowed. */
  async autoCreate(name: string): Promise<TopicState | undefined> {
    if (!this.config.bool('auto.create.topics.enable')) return undefined;
    const existing = this.metadata.topic(name);
    if (existing) return existing;
    const pending = this.creating.get(name);
    if (pending) return pending;
    return this.createTopic({ name, numPartitions: -1, replicationFactor: -1 });
  }

  async deleteTopic(name: string): Promise<TopicState> {
    if (!this.config.bool('delete.topic.enable')) {
      throw new KafkaProtocolError(E.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
    }
    const topic = this.metadata.topic(name);
    if (topic === undefined) throw new KafkaProtocolError(E.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
    await this.metadata.deleteTopic(name);
    await this.replicas.removeTopic(topic);
    this.logger.info({ topic: name }, 'deleted topic');
    return topic;
  }

  /** Validates growing a topic to `count` partitions; returns the new partition states. */
  validateCreatePartitions(name: string, count: number, assignments: number[][] | null): PartitionState[] {
    const topic = this.metadata.topic(name);
    if (topic === undefined) throw new KafkaProtocolError(E.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
    const current = topic.partitions.length;
    if (count < current) {
      throw new KafkaProtocolError(E.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${count}.`);
    }
    if (count === current) throw new KafkaProtocolError(E.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
    const brokers = this.metadata.brokers().map((b) => b.nodeId);
    const rf = topic.partitions[0]?.replicas.length ?? 1;
    let newAssignments: number[][];
    if (assignments !== null) {
      if (assignments.length !== count - current) {
        throw new KafkaProtocolError(E.INVALID_REPLICA_ASSIGNMENT, `Increasing the number of partitions by ${count - current} but ${assignments.length} assignments provided.`);
      }
      for (const r of assignments) {
        if (r.length !== rf || new Set(r).size !== r.length || r.some((b) => !brokers.includes(b))) {
          throw new KafkaProtocolError(E.INVALID_REPLICA_ASSIGNMENT, `Invalid replica assignment ${r.join(',')}`);
        }
      }
      newAssignments = assignments;
    } else {
      newAssignments = this.assignReplicas(count - current, rf, brokers, current);
    }
    return newAssignments.map((replicas, i) => ({ partition: current + i, replicas, leader: replicas[0]!, leaderEpoch: 0, isr: [...replicas], partitionEpoch: 0 }));
  }

  async createPartitions(name: string, partitions: PartitionState[]): Promise<void> {
    const topic = await this.metadata.addPartitions(name, partitions);
    await this.replicas.becomeLeaderOrFollower(topic, this.topicConfig(topic));
  }

  async setTopicConfigs(name: string, configs: Map<string, string>): Promise<void> {
    const topic = await this.metadata.setTopicConfigs(name, configs);
    this.replicas.updateTopicConfig(topic, this.topicConfig(topic));
  }
}
