/**
 * CreateTopics (key 19), versions 0-7 (Kafka 4 dropped 0-1; kept for old clients).
 * - numPartitions / replicationFactor -1 mean the broker defaults (v4+); explicit assignments
 *   exclude both. Configs are validated by name and value (INVALID_CONFIG naming the key).
 * - validateOnly (v1+) checks everything and creates nothing.
 * - v5+ answers with the partition count, replication factor and the topic's effective configs;
 *   v7+ with the topic id. A name repeated in one request is INVALID_REQUEST for each copy.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type {
  CreateTopicsRequest,
  CreateTopicsResponse,
  CreateTopicsResponseCreatableTopicResult,
} from '../../protocol/messages/index.js';
import { TopicConfig } from '../../common/config/topic-config.js';
import { E, toErrorCode } from '../errors.js';
import { ZERO_UUID } from '../metadata/uuid.js';
import { defineHandler } from './types.js';

export default defineHandler<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: ApiKeys.CreateTopics,
  async handle(req, ctx) {
    const { topics: manager, config } = ctx.broker;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results = await Promise.all(
      req.topics.map(async (t): Promise<CreateTopicsResponseCreatableTopicResult> => {
        const fail = (code: number, message: string | null): CreateTopicsResponseCreatableTopicResult => ({
          name: t.name,
          topicId: ZERO_UUID,
          errorCode: code,
          errorMessage: message,
          topicConfigErrorCode: E.NONE,
          numPartitions: -1,
          replicationFactor: -1,
          configs: null,
        });
        if ((counts.get(t.name) ?? 0) > 1) return fail(E.INVALID_REQUEST, `Create topics request from client contains multiple entries for the following topics: ${t.name}`);
        const spec = {
          name: t.name,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          assignments: [...t.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex).map((a) => a.brokerIds),
          configs: new Map(t.configs.map((c) => [c.name, c.value] as [string, string | null])),
        };
        try {
          const plan = manager.validateCreate(spec);
          let topicId: Buffer = ZERO_UUID;
          if (!req.validateOnly) topicId = (await manager.createTopic(spec)).topicId;
          const describe = new TopicConfig(config, plan.configs).describe(false);
          return {
            name: t.name,
            topicId,
            errorCode: E.NONE,
            errorMessage: null,
            topicConfigErrorCode: E.NONE,
            numPartitions: plan.partitions.length,
            replicationFactor: plan.replicationFactor,
            configs: ctx.apiVersion < 5 ? null : describe.map((e) => ({ name: e.name, value: e.value, readOnly: e.readOnly, configSource: e.source, isSensitive: e.sensitive })),
          };
        } catch (err) {
          const { code, message } = toErrorCode(err);
          return fail(code, message);
        }
      }),
    );
    return { throttleTimeMs: 0, topics: results };
  },
});
