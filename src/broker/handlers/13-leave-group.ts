/**
 * LeaveGroup (key 13), versions 0-5.
 * - v0-2: one member id; its error is the top-level error.
 * - v3+: a batch of members, each by member id and/or group.instance.id (an admin removing static
 *   members may send only the instance id); per-member errors. v5: a reason per member (logged).
 * - A member leaving a Stable / CompletingRebalance group starts a rebalance.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { LeaveGroupRequest, LeaveGroupResponse } from '../../protocol/messages/index.js';
import { G } from '../group/codes.js';
import type { LeaveResult } from '../group/member.js';
import { defineHandler } from './types.js';

export default defineHandler<LeaveGroupRequest, LeaveGroupResponse>({
  apiKey: ApiKeys.LeaveGroup,
  prepare: (broker) => broker.startGroups(),
  handle(req, ctx) {
    const v = ctx.apiVersion;
    const leaving =
      v >= 3
        ? req.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            reason: v >= 5 ? m.reason : null,
          }))
        : [{ memberId: req.memberId, groupInstanceId: null, reason: null }];
    let r: LeaveResult;
    try {
      r = ctx.broker.groups.leaveGroup(req.groupId, leaving);
    } catch (err) {
      ctx.broker.logger.error({ err, groupId: req.groupId }, 'LeaveGroup failed');
      r = { errorCode: G.UNKNOWN_SERVER_ERROR, members: [] };
    }
    if (v < 3) {
      const memberError = r.members[0]?.errorCode ?? G.NONE;
      return { throttleTimeMs: 0, errorCode: r.errorCode !== G.NONE ? r.errorCode : memberError, members: [] };
    }
    return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.members };
  },
});
