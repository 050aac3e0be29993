/**
 * SyncGroup (key 14), versions 0-5.
 * - The leader sends every member's assignment; each member gets its own once the leader's
 *   arrives and the group record is stored (acks=all). Followers' responses wait until then.
 * - v3+ group.instance.id (FENCED_INSTANCE_ID); v5 protocol type and name, checked against the
 *   group's (INCONSISTENT_GROUP_PROTOCOL) and returned.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../../protocol/messages/index.js';
import { G } from '../group/codes.js';
import type { SyncResult } from '../group/member.js';
import { defineHandler } from './types.js';

export default defineHandler<SyncGroupRequest, SyncGroupResponse>({
  apiKey: ApiKeys.SyncGroup,
  prepare: (broker) => broker.startGroups(),
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    let r: SyncResult;
    try {
      r = await ctx.broker.groups.syncGroup({
        groupId: req.groupId,
        generationId: req.generationId,
        memberId: req.memberId,
        groupInstanceId: v >= 3 ? req.groupInstanceId : null,
        protocolType: v >= 5 ? req.protocolType : null,
        protocolName: v >= 5 ? req.protocolName : null,
        assignments: req.assignments,
      });
    } catch (err) {
      ctx.broker.logger.error({ err, groupId: req.groupId }, 'SyncGroup failed');
      r = { errorCode: G.UNKNOWN_SERVER_ERROR, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
    }
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      protocolType: v >= 5 ? r.protocolType : null,
      protocolName: v >= 5 ? r.protocolName : null,
      assignment: r.assignment,
    };
  },
});
