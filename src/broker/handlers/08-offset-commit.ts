/**
 * OffsetCommit (key 8), versions 0-9.
 * - v0 carries no generation or member (a "simple" consumer's commit); v1 a per-partition commit
 *   timestamp (-1 = now); v2-4 a retention time (-1 = broker default) that becomes the record's
 *   expire timestamp; v6+ the leader epoch; v7+ group.instance.id. v9's member epoch (KIP-848) is
 *   the generation for the classic groups served here.
 * - Unknown topics / partitions: UNKNOWN_TOPIC_OR_PARTITION for those partitions only.
 * - The response waits for the append to __consumer_offsets (acks=all). See group/group-offsets.ts.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../../protocol/messages/index.js';
import { G } from '../group/codes.js';
import { defineHandler } from './types.js';

export default defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: ApiKeys.OffsetCommit,
  prepare: (broker) => broker.startGroups(),
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    const now = ctx.broker.clock.now();
    const retention = v >= 2 && v <= 4 ? Number(req.retentionTimeMs) : -1;
    const topics = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const commitTimestamp = v === 1 && p.commitTimestamp !== -1n ? Number(p.commitTimestamp) : now;
        return {
          partitionIndex: p.partitionIndex,
          value: {
            offset: Number(p.committedOffset),
            leaderEpoch: v >= 6 ? p.committedLeaderEpoch : -1,
            metadata: p.committedMetadata ?? '',
            commitTimestamp,
            expireTimestamp: retention >= 0 ? commitTimestamp + retention : null,
          },
        };
      }),
    }));
    try {
      const result = await ctx.broker.groups.commitOffsets({
        groupId: req.groupId,
        generationId: v >= 1 ? req.generationIdOrMemberEpoch : -1,
        memberId: v >= 1 ? req.memberId : '',
        groupInstanceId: v >= 7 ? req.groupInstanceId : null,
        topics,
      });
      return { throttleTimeMs: 0, topics: result };
    } catch (err) {
      ctx.broker.logger.error({ err, groupId: req.groupId }, 'OffsetCommit failed');
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: G.UNKNOWN_SERVER_ERROR,
          })),
        })),
      };
    }
  },
});
