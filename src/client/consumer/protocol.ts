/**
 * The "consumer" embedded protocol carried opaquely by JoinGroup/SyncGroup: subscription
 * metadata (topics, owned partitions, generation, rack) and assignments, each prefixed by an
 * int16 version as Kafka's ConsumerProtocol does. We write subscription v3 / assignment v3 and
 * read any version (fields a version lacks take their defaults), so Java, librdkafka and kafkajs
 * members can share a group with ours.
 */
import {
  type ConsumerProtocolAssignment,
  type ConsumerProtocolSubscription,
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
} from '../../protocol/messages/index.js';
import { Reader, Writer } from '../../protocol/primitives/index.js';
import { pushTo } from '../collections.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface Subscription {
  topics: string[];
  userData: Buffer | null;
  ownedPartitions: TopicPartition[];
  generationId: number;
  rackId: string | null;
}

const SUBSCRIPTION_VERSION = 3;
const ASSIGNMENT_VERSION = 3;

export function encodeSubscription(s: Subscription, version = SUBSCRIPTION_VERSION): Buffer {
  const w = new Writer(64);
  w.int16(version);
  const msg: ConsumerProtocolSubscription = {
    topics: s.topics,
    userData: s.userData,
    ownedPartitions: toTopicPartitions(s.ownedPartitions),
    generationId: s.generationId,
    rackId: s.rackId,
  };
  encodeConsumerProtocolSubscription(msg, version, w);
  return w.finish();
}

export function decodeSubscription(b: Buffer): Subscription {
  if (b.length < 2) return { topics: [], userData: null, ownedPartitions: [], generationId: -1, rackId: null };
  const r = new Reader(b);
  const version = Math.min(r.int16(), SUBSCRIPTION_VERSION);
  const m = decodeConsumerProtocolSubscription(r, version);
  return {
    topics: m.topics,
    userData: m.userData,
    ownedPartitions: (m.ownedPartitions ?? []).flatMap((t) =>
      t.partitions.map((partition) => ({ topic: t.topic, partition })),
    ),
    generationId: version >= 2 ? m.generationId : -1,
    rackId: version >= 3 ? m.rackId : null,
  };
}

export function encodeAssignment(partitions: readonly TopicPartition[], userData: Buffer | null = null): Buffer {
  const w = new Writer(64);
  w.int16(ASSIGNMENT_VERSION);
  const msg: ConsumerProtocolAssignment = { assignedPartitions: toTopicPartitions(partitions), userData };
  encodeConsumerProtocolAssignment(msg, ASSIGNMENT_VERSION, w);
  return w.finish();
}

export function decodeAssignment(b: Buffer | null): TopicPartition[] {
  // An empty assignment buffer is legal (a member that got nothing, or a leader's peers in librdkafka).
  if (!b || b.length < 2) return [];
  const r = new Reader(b);
  const version = Math.min(r.int16(), ASSIGNMENT_VERSION);
  const m = decodeConsumerProtocolAssignment(r, version);
  return m.assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
}

export function toTopicPartitions(list: readonly TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const m = new Map<string, number[]>();
  for (const tp of list) {
    pushTo(m, tp.topic, tp.partition);
  }
  return [...m].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
