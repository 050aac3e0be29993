/**
 * OffsetFetch (key 9), versions 0-9.
 * - v0-1: the listed partitions only, errors per partition (a group error is copied into each).
 * - v2+: a top-level error; a null topic list means every committed offset of the group.
 * - v5+ the committed leader epoch; v7 requireStable (no transactions yet, so nothing is ever
 *   unstable); v8+ several groups per request, each with its own error. v9's member id / epoch
 *   (KIP-848) do not apply to classic groups and are ignored, as Kafka does for them.
 * - A partition with no commit answers offset -1, metadata "" and no error.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { OffsetFetchRequest, OffsetFetchResponse } from '../../protocol/messages/index.js';
import { G } from '../group/codes.js';
import type { FetchedOffsets } from '../group/group-offsets.js';
import { defineHandler, type RequestContext } from './types.js';

function fetch(
  ctx: RequestContext,
  groupId: string,
  topics: Array<{ name: string; partitionIndexes: number[] }> | null,
): FetchedOffsets {
  try {
    return ctx.broker.groups.fetchOffsets(groupId, topics);
  } catch (err) {
    ctx.broker.logger.error({ err, groupId }, 'OffsetFetch failed');
    return { errorCode: G.UNKNOWN_SERVER_ERROR, topics: [] };
  }
}

export default defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: ApiKeys.OffsetFetch,
  prepare: (broker) => broker.startGroups(),
  handle(req, ctx) {
    const v = ctx.apiVersion;
    const epoch = (e: number) => (v >= 5 ? e : -1);
    if (v >= 8) {
      const groups = req.groups.map((g) => {
        const r = fetch(ctx, g.groupId, g.topics);
        return {
          groupId: g.groupId,
          errorCode: r.errorCode,
          topics: r.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              committedOffset: BigInt(p.committedOffset),
              committedLeaderEpoch: p.committedLeaderEpoch,
              metadata: p.metadata,
              errorCode: p.errorCode,
            })),
          })),
        };
      });
      return { throttleTimeMs: 0, topics: [], errorCode: 0, groups };
    }
    // v0-1 have no "all topics" form; a null list there is a malformed request, answered empty.
    const topics = v >= 2 ? req.topics : (req.topics ?? []);
    const r = fetch(ctx, req.groupId, topics);
    let out = r.topics;
    if (r.errorCode !== G.NONE && v < 2) {
      // No top-level error field: each requested partition carries it.
      out = (topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((i) => ({
          partitionIndex: i,
          committedOffset: -1,
          committedLeaderEpoch: -1,
          metadata: '',
          errorCode: r.errorCode,
        })),
      }));
    }
    return {
      throttleTimeMs: 0,
      errorCode: v >= 2 ? r.errorCode : 0,
      groups: [],
      topics: out.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: BigInt(p.committedOffset),
          committedLeaderEpoch: epoch(p.committedLeaderEpoch),
          metadata: p.metadata,
          errorCode: p.errorCode,
        })),
      })),
    };
  },
});
