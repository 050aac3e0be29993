/**
 * ListGroups (key 16), versions 0-5.
 * - Every group this broker coordinates (including groups that only hold offsets).
 * - v4+ a states filter (case-insensitive) and the state per group; v5 a types filter and the
 *   type per group — every group here is "classic".
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { ListGroupsRequest, ListGroupsResponse } from '../../protocol/messages/index.js';
import { defineHandler } from './types.js';

export default defineHandler<ListGroupsRequest, ListGroupsResponse>({
  apiKey: ApiKeys.ListGroups,
  prepare: (broker) => broker.startGroups(),
  handle(req, ctx) {
    const v = ctx.apiVersion;
    const groups = ctx.broker.groups.listGroups(v >= 4 ? req.statesFilter : [], v >= 5 ? req.typesFilter : []);
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      groups: groups.map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        groupState: v >= 4 ? g.groupState : '',
        groupType: v >= 5 ? g.groupType : '',
      })),
    };
  },
});
