/**
 * DeleteTopics (key 20), versions 0-6 (Kafka 4 dropped v0; kept).
 * - v0-5 name topics in topicNames; v6 in topics, by name or by id (UNKNOWN_TOPIC_ID).
 * - delete.topic.enable=false => TOPIC_DELETION_DISABLED. The logs are removed before answering.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../../protocol/messages/index.js';
import { E, toErrorCode } from '../errors.js';
import { ZERO_UUID } from '../metadata/uuid.js';
import { defineHandler } from './types.js';

export default defineHandler<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: ApiKeys.DeleteTopics,
  async handle(req, ctx) {
    const { metadata, topics: manager } = ctx.broker;
    const targets = ctx.apiVersion >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const responses = [];
    // Sequential: deletes are rare and this keeps log removal I/O bounded.
    for (const t of targets) {
      let name = t.name;
      let topicId = t.topicId;
      if (name === null) {
        const byId = metadata.topicById(t.topicId);
        if (!byId) {
          responses.push({ name: null, topicId: t.topicId, errorCode: E.UNKNOWN_TOPIC_ID, errorMessage: null });
          continue;
        }
        name = byId.name;
      }
      try {
        const deleted = await manager.deleteTopic(name);
        topicId = deleted.topicId;
        responses.push({ name, topicId, errorCode: E.NONE, errorMessage: null });
      } catch (err) {
        const { code, message } = toErrorCode(err);
        responses.push({ name, topicId, errorCode: code, errorMessage: message });
      }
    }
    return { throttleTimeMs: 0, responses };
  },
});
