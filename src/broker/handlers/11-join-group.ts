/**
 * JoinGroup (key 11), versions 0-9.
 * - v0 has no rebalance timeout: the session timeout stands in for it (as Kafka does).
 * - v4+: a first join (empty member id, no group.instance.id) gets MEMBER_ID_REQUIRED with the id
 *   to rejoin with (KIP-394). v5+ group.instance.id (static membership, KIP-345).
 * - v0-6 cannot carry a null protocol name: errors answer "". v7+ return the protocol type.
 * - v9: skipAssignment for a static leader rejoining a Stable group (KIP-814).
 * - The response waits for the rebalance (join phase) to complete; see group/coordinator.ts.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../../protocol/messages/index.js';
import { G } from '../group/codes.js';
import type { JoinResult } from '../group/member.js';
import { defineHandler } from './types.js';

export default defineHandler<JoinGroupRequest, JoinGroupResponse>({
  apiKey: ApiKeys.JoinGroup,
  prepare: (broker) => broker.startGroups(),
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    let r: JoinResult;
    try {
      r = await ctx.broker.groups.joinGroup({
        groupId: req.groupId,
        memberId: req.memberId,
        groupInstanceId: v >= 5 ? req.groupInstanceId : null,
        requireKnownMemberId: v >= 4,
        supportSkippingAssignment: v >= 9,
        clientId: ctx.header.clientId ?? '',
        clientHost: `/${ctx.connection.remoteAddress}`,
        rebalanceTimeoutMs: v === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
        sessionTimeoutMs: req.sessionTimeoutMs,
        protocolType: req.protocolType,
        // Request buffers are views of the frame; the group keeps these for its lifetime.
        protocols: req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
        reason: req.reason,
      });
    } catch (err) {
      ctx.broker.logger.error({ err, groupId: req.groupId }, 'JoinGroup failed');
      r = {
        errorCode: G.UNKNOWN_SERVER_ERROR,
        memberId: req.memberId,
        generationId: -1,
        protocolType: null,
        protocolName: null,
        leaderId: '',
        skipAssignment: false,
        members: [],
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: v >= 7 ? r.protocolType : null,
      protocolName: v >= 7 ? r.protocolName : (r.protocolName ?? ''),
      leader: r.leaderId,
      skipAssignment: v >= 9 ? r.skipAssignment : false,
      memberId: r.memberId,
      members: r.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: v >= 5 ? m.groupInstanceId : null,
        metadata: m.metadata,
      })),
    };
  },
});
