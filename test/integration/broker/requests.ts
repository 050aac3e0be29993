// Request bodies with every field filled in, for the raw test client.
import { encodeRecordBatch } from '../../../src/protocol/records/encode.js';

const ZERO = Buffer.alloc(16);

export function batch(values: string[], opts: { key?: string; timestamp?: number } = {}): Buffer {
  return encodeRecordBatch({
    records: values.map((v) => ({
      key: opts.key === undefined ? null : Buffer.from(opts.key),
      value: Buffer.from(v),
      timestamp: opts.timestamp,
    })),
  });
}

export function createTopics(
  topics: Array<{ name: string; numPartitions?: number; configs?: Record<string, string> }>,
  validateOnly = false,
) {
  return {
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.numPartitions ?? 1,
      replicationFactor: -1,
      assignments: [],
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
    timeoutMs: 10000,
    validateOnly,
  };
}

export function produce(topic: string, partition: number, records: Buffer | null, acks = -1) {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 10000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  };
}

export function fetch(
  parts: Array<{ topic: string; partition: number; offset: number; topicId?: Buffer }>,
  opts: {
    maxWaitMs?: number;
    minBytes?: number;
    sessionId?: number;
    sessionEpoch?: number;
    forgotten?: Array<{ topic: string; partitions: number[] }>;
  } = {},
) {
  const byTopic = new Map<string, typeof parts>();
  for (const p of parts) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs: opts.maxWaitMs ?? 0,
    minBytes: opts.minBytes ?? 1,
    maxBytes: 52428800,
    isolationLevel: 0,
    sessionId: opts.sessionId ?? 0,
    sessionEpoch: opts.sessionEpoch ?? -1,
    topics: [...byTopic].map(([topic, ps]) => ({
      topic,
      topicId: ps[0]!.topicId ?? ZERO,
      partitions: ps.map((p) => ({
        partition: p.partition,
        currentLeaderEpoch: -1,
        fetchOffset: BigInt(p.offset),
        lastFetchedEpoch: -1,
        logStartOffset: -1n,
        partitionMaxBytes: 1048576,
        replicaDirectoryId: ZERO,
      })),
    })),
    forgottenTopicsData: (opts.forgotten ?? []).map((f) => ({
      topic: f.topic,
      topicId: ZERO,
      partitions: f.partitions,
    })),
    rackId: '',
  };
}

export function metadata(topics: string[] | null, allowAutoTopicCreation = true) {
  return {
    topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO, name })),
    allowAutoTopicCreation,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
}

export function listOffsets(topic: string, partition: number, timestamp: number) {
  return {
    replicaId: -1,
    isolationLevel: 0,
    topics: [
      {
        name: topic,
        partitions: [
          { partitionIndex: partition, currentLeaderEpoch: -1, timestamp: BigInt(timestamp), maxNumOffsets: 1 },
        ],
      },
    ],
    timeoutMs: 1000,
  };
}
