/**
 * DeleteGroups (key 42), versions 0-2.
 * - Only Empty groups can be deleted (NON_EMPTY_GROUP otherwise; GROUP_ID_NOT_FOUND if unknown).
 *   Deletion writes tombstones for the group's offsets and its group record.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../../protocol/messages/index.js';
import { G } from '../group/codes.js';
import { defineHandler } from './types.js';

export default defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: ApiKeys.DeleteGroups,
  prepare: (broker) => broker.startGroups(),
  async handle(req, ctx) {
    const results = await Promise.all(
      req.groupsNames.map(async (groupId) => {
        try {
          return { groupId, errorCode: await ctx.broker.groups.deleteGroup(groupId) };
        } catch (err) {
          ctx.broker.logger.error({ err, groupId }, 'DeleteGroups failed');
          return { groupId, errorCode: G.UNKNOWN_SERVER_ERROR };
        }
      }),
    );
    return { throttleTimeMs: 0, results };
  },
});
