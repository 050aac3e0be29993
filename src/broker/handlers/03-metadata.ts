/**
 * Metadata (key 3), versions 0-12. Kafka 4 dropped 0-3, but kafka-python 2.0.x still sends v1, so
 * all are served.
 * - v0: an empty topic list means all topics; v1+: null means all, empty means none.
 * - Auto-creation (auto.create.topics.enable, and allowAutoTopicCreation from v4; implied before)
 *   creates the topic before answering, so the first answer already has its partitions (Kafka
 *   answers LEADER_NOT_AVAILABLE first because its creation propagates asynchronously).
 * - v10+ topics may be named by id; an unknown id is UNKNOWN_TOPIC_ID.
 * - Authorized operations are not computed (no ACLs yet): always Int.MIN ("not provided").
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type {
  MetadataRequest,
  MetadataResponse,
  MetadataResponseMetadataResponseTopic,
} from '../../protocol/messages/index.js';
import { E, toErrorCode } from '../errors.js';
import type { TopicState } from '../metadata/metadata-store.js';
import { ZERO_UUID } from '../metadata/uuid.js';
import { INTERNAL_TOPICS, validateTopicName } from '../topic-manager.js';
import type { RequestContext } from './types.js';
import { defineHandler } from './types.js';

const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

function topicEntry(t: TopicState): MetadataResponseMetadataResponseTopic {
  return {
    errorCode: E.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: INTERNAL_TOPICS.has(t.name),
    partitions: t.partitions.map((p) => ({
      errorCode: p.leader === -1 ? E.LEADER_NOT_AVAILABLE : E.NONE,
      partitionIndex: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function errorEntry(name: string | null, topicId: Buffer, errorCode: number): MetadataResponseMetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
}

/** The broker list and cluster fields every Metadata-like response carries. */
export function brokersFor(ctx: RequestContext) {
  return ctx.broker.metadata.brokers().map((b) => {
    const adv = b.nodeId === ctx.broker.nodeId ? ctx.broker.advertisedListener(ctx.connection.listenerName) : { host: b.host, port: b.port };
    return { nodeId: b.nodeId, host: adv.host, port: adv.port, rack: b.rack };
  });
}

export default defineHandler<MetadataRequest, MetadataResponse>({
  apiKey: ApiKeys.Metadata,
  async handle(req, ctx) {
    const { metadata, topics: manager } = ctx.broker;
    const v = ctx.apiVersion;
    const allTopics = req.topics === null || (v === 0 && req.topics.length === 0);
    const allowAuto = v < 4 ? true : req.allowAutoTopicCreation;
    let topics: MetadataResponseMetadataResponseTopic[];
    if (allTopics) {
      topics = [...metadata.topics()].map(topicEntry);
    } else {
      topics = await Promise.all(
        req.topics!.map(async (t) => {
          if (t.name === null) {
            const byId = metadata.topicById(t.topicId);
            return byId ? topicEntry(byId) : errorEntry(null, t.topicId, E.UNKNOWN_TOPIC_ID);
          }
          const existing = metadata.topic(t.name);
          if (existing) return topicEntry(existing);
          try {
            validateTopicName(t.name);
          } catch {
            return errorEntry(t.name, ZERO_UUID, E.INVALID_TOPIC_EXCEPTION);
          }
          if (!allowAuto) return errorEntry(t.name, ZERO_UUID, E.UNKNOWN_TOPIC_OR_PARTITION);
          try {
            const created = await manager.autoCreate(t.name);
            return created ? topicEntry(created) : errorEntry(t.name, ZERO_UUID, E.UNKNOWN_TOPIC_OR_PARTITION);
          } catch (err) {
            return errorEntry(t.name, ZERO_UUID, toErrorCode(err).code);
          }
        }),
      );
    }
    return {
      throttleTimeMs: 0,
      brokers: brokersFor(ctx),
      clusterId: ctx.broker.clusterId,
      controllerId: metadata.controllerId,
      topics,
      clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
});
