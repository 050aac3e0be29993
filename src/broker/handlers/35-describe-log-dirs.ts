/**
 * DescribeLogDirs (key 35), versions 0-4 (Kafka 4 dropped v0; kept).
 * - One result per log dir with the partitions it holds and their sizes; topics null = all.
 * - v3+ top-level errorCode; v4+ totalBytes/usableBytes from statfs (-1 when unknown).
 * - offsetLag is 0 (no future replicas: AlterReplicaLogDirs is not implemented).
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { DescribeLogDirsRequest, DescribeLogDirsResponse } from '../../protocol/messages/index.js';
import { E } from '../errors.js';
import { defineHandler } from './types.js';

export default defineHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>({
  apiKey: ApiKeys.DescribeLogDirs,
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    const wanted = req.topics === null ? null : new Map(req.topics.map((t) => [t.topic, new Set(t.partitions)]));
    const dirs = await ctx.broker.replicas.describeLogDirs();
    return {
      throttleTimeMs: 0,
      errorCode: E.NONE,
      results: dirs.map((d) => {
        const byTopic = new Map<string, Array<{ partitionIndex: number; partitionSize: bigint; offsetLag: bigint; isFutureKey: boolean }>>();
        for (const p of d.partitions) {
          if (wanted !== null && !wanted.get(p.topic)?.has(p.partition)) continue;
          let list = byTopic.get(p.topic);
          if (!list) {
            list = [];
            byTopic.set(p.topic, list);
          }
          list.push({ partitionIndex: p.partition, partitionSize: BigInt(p.size), offsetLag: BigInt(p.offsetLag), isFutureKey: false });
        }
        return {
          errorCode: E.NONE,
          logDir: d.path,
          topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
          totalBytes: v >= 4 ? BigInt(d.totalBytes) : -1n,
          usableBytes: v >= 4 ? BigInt(d.usableBytes) : -1n,
        };
      }),
    };
  },
});
