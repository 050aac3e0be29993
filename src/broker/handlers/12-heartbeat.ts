/**
 * Heartbeat (key 12), versions 0-4.
 * - Keeps a member's session alive. REBALANCE_IN_PROGRESS tells it to rejoin; ILLEGAL_GENERATION,
 *   UNKNOWN_MEMBER_ID and (v3+, static members) FENCED_INSTANCE_ID that it is out of the group.
 * - Accepted between JoinGroup and SyncGroup (CompletingRebalance) for the current generation.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { HeartbeatRequest, HeartbeatResponse } from '../../protocol/messages/index.js';
import { G } from '../group/codes.js';
import { defineHandler } from './types.js';

export default defineHandler<HeartbeatRequest, HeartbeatResponse>({
  apiKey: ApiKeys.Heartbeat,
  prepare: (broker) => broker.startGroups(),
  handle(req, ctx) {
    let errorCode: number;
    try {
      errorCode = ctx.broker.groups.heartbeat(
        req.groupId,
        req.memberId,
        ctx.apiVersion >= 3 ? req.groupInstanceId : null,
        req.generationId,
      );
    } catch (err) {
      ctx.broker.logger.error({ err, groupId: req.groupId }, 'Heartbeat failed');
      errorCode = G.UNKNOWN_SERVER_ERROR;
    }
    return { throttleTimeMs: 0, errorCode };
  },
});
