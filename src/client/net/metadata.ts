/**
 * A snapshot of the cluster as the client last saw it: brokers, controller, cluster id and, for
 * the topics the client cares about, each partition's leader and leader epoch. Built from
 * Metadata responses; immutable per refresh (a refresh replaces topic entries wholesale, so a
 * reader never sees a half-updated topic).
 */
import type { MetadataResponse } from '../../protocol/messages/index.js';

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionInfo {
  partition: number;
  /** -1 when the partition has no leader right now. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  topicId: Buffer;
  isInternal: boolean;
  errorCode: number;
  partitions: PartitionInfo[];
}

export class ClusterMetadata {
  readonly brokers = new Map<number, BrokerInfo>();
  readonly topics = new Map<string, TopicInfo>();
  clusterId: string | null = null;
  controllerId = -1;
  /** Date.now() of the last full apply; 0 = never. */
  updatedAt = 0;

  /** Applies a Metadata response. `requested` null means "all topics": topics absent are gone. */
  apply(res: MetadataResponse, requested: readonly string[] | null): void {
    this.brokers.clear();
    for (const b of res.brokers)
      this.brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack });
    this.clusterId = res.clusterId;
    this.controllerId = res.controllerId;
    if (requested === null) this.topics.clear();
    for (const t of res.topics) {
      if (t.name === null) continue;
      if (t.errorCode !== 0 && t.partitions.length === 0) {
        this.topics.delete(t.name);
        continue;
      }
      const partitions = t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
          errorCode: p.errorCode,
        }))
        .sort((a, b) => a.partition - b.partition);
      this.topics.set(t.name, {
        name: t.name,
        topicId: Buffer.from(t.topicId),
        isInternal: t.isInternal,
        errorCode: t.errorCode,
        partitions,
      });
    }
    this.updatedAt = Date.now();
  }

  partition(topic: string, partition: number): PartitionInfo | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  /** Partitions with a live leader (the "available partitions" a partitioner may choose from). */
  availablePartitions(topic: string): number[] {
    const t = this.topics.get(topic);
    if (!t) return [];
    return t.partitions.filter((p) => p.leader >= 0 && this.brokers.has(p.leader)).map((p) => p.partition);
  }
}
