/**
 * DescribeTopicPartitions (key 75), version 0 (KIP-966's paginated topic description, used by the
 * Java admin client's describeTopics).
 * - An empty topic list means all topics, sorted by name; responsePartitionLimit caps the partitions
 *   returned (at most 2000, Kafka's max.request.partition.size.limit) and nextCursor resumes.
 * - Unknown topics: UNKNOWN_TOPIC_OR_PARTITION. No ELR: eligibleLeaderReplicas/lastKnownElr empty.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse } from '../../protocol/messages/index.js';
import { E } from '../errors.js';
import { ZERO_UUID } from '../metadata/uuid.js';
import { INTERNAL_TOPICS } from '../topic-manager.js';
import { defineHandler } from './types.js';

const MAX_PARTITIONS = 2000;

export default defineHandler<DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse>({
  apiKey: ApiKeys.DescribeTopicPartitions,
  handle(req, ctx) {
    const { metadata } = ctx.broker;
    const names = (req.topics.length === 0 ? [...metadata.topics()].map((t) => t.name) : req.topics.map((t) => t.name)).sort();
    let budget = Math.min(req.responsePartitionLimit > 0 ? req.responsePartitionLimit : MAX_PARTITIONS, MAX_PARTITIONS);
    const cursor = req.cursor;
    const topics: DescribeTopicPartitionsResponse['topics'] = [];
    let nextCursor: DescribeTopicPartitionsResponse['nextCursor'] = null;
    for (const name of names) {
      if (cursor && name < cursor.topicName) continue;
      const t = metadata.topic(name);
      if (t === undefined) {
        topics.push({ errorCode: E.UNKNOWN_TOPIC_OR_PARTITION, name, topicId: ZERO_UUID, isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 });
        continue;
      }
      const start = cursor && name === cursor.topicName ? cursor.partitionIndex : 0;
      const parts = t.partitions.slice(start);
      if (budget <= 0) {
        nextCursor = { topicName: name, partitionIndex: start };
        break;
      }
      const taken = parts.slice(0, budget);
      budget -= taken.length;
      topics.push({
        errorCode: E.NONE,
        name,
        topicId: t.topicId,
        isInternal: INTERNAL_TOPICS.has(name),
        partitions: taken.map((p) => ({
          errorCode: E.NONE,
          partitionIndex: p.partition,
          leaderId: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicaNodes: p.replicas,
          isrNodes: p.isr,
          eligibleLeaderReplicas: [],
          lastKnownElr: [],
          offlineReplicas: [],
        })),
        topicAuthorizedOperations: -2147483648,
      });
      if (taken.length < parts.length) {
        nextCursor = { topicName: name, partitionIndex: start + taken.length };
        break;
      }
    }
    return { throttleTimeMs: 0, topics, nextCursor };
  },
});
