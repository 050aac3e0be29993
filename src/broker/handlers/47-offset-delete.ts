/**
 * OffsetDelete (key 47), version 0.
 * - Deletes committed offsets of an Empty group, or of a consumer group for topics it does not
 *   subscribe to (GROUP_SUBSCRIBED_TO_TOPIC for those it does). A non-consumer group with members:
 *   NON_EMPTY_GROUP. Unknown group: GROUP_ID_NOT_FOUND. A group-level error has no topic list.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../../protocol/messages/index.js';
import { G } from '../group/codes.js';
import { defineHandler } from './types.js';

export default defineHandler<OffsetDeleteRequest, OffsetDeleteResponse>({
  apiKey: ApiKeys.OffsetDelete,
  prepare: (broker) => broker.startGroups(),
  async handle(req, ctx) {
    try {
      const r = await ctx.broker.groups.deleteOffsets(
        req.groupId,
        req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) })),
      );
      return { throttleTimeMs: 0, errorCode: r.errorCode, topics: r.topics };
    } catch (err) {
      ctx.broker.logger.error({ err, groupId: req.groupId }, 'OffsetDelete failed');
      return { throttleTimeMs: 0, errorCode: G.UNKNOWN_SERVER_ERROR, topics: [] };
    }
  },
});
