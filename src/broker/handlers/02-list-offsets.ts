/**
 * ListOffsets (key 2), versions 0-10 (Kafka 4 dropped v0; it is kept for old clients).
 * - Timestamps: -2 earliest (log start), -1 latest (high watermark), -3 max timestamp (v7+),
 *   -4 earliest local (v8+, = earliest: no tiered storage), -5 latest tiered (v9+, = latest),
 *   >= 0 the first offset with a timestamp >= it (offset -1 when none).
 * - v0 answers in oldStyleOffsets (maxNumOffsets honoured as "at most one offset").
 * - isolationLevel READ_COMMITTED is accepted; with no transactions the LSO is the HW.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/messages/index.js';
import { defineHandler } from './types.js';

export default defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: ApiKeys.ListOffsets,
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    return {
      throttleTimeMs: 0,
      topics: await Promise.all(
        req.topics.map(async (t) => ({
          name: t.name,
          partitions: await Promise.all(
            t.partitions.map(async (p) => {
              const r = await ctx.broker.replicas.listOffset(t.name, p.partitionIndex, Number(p.timestamp), v >= 4 ? p.currentLeaderEpoch : -1);
              return {
                partitionIndex: p.partitionIndex,
                errorCode: r.errorCode,
                oldStyleOffsets: v === 0 && r.offset >= 0 && p.maxNumOffsets > 0 ? [BigInt(r.offset)] : [],
                // Fields absent from a version must keep their defaults (the codec enforces it).
                timestamp: v >= 1 ? BigInt(r.timestamp) : -1n,
                offset: v >= 1 ? BigInt(r.offset) : -1n,
                leaderEpoch: v >= 4 ? r.leaderEpoch : -1,
              };
            }),
          ),
        })),
      ),
    };
  },
});
