/**
 * ListOffsets, shared by the admin client (listOffsets, resetOffsets, lag) and the consumer
 * (auto.offset.reset, seekToBeginning/End/timestamp). Requests are grouped by partition leader,
 * sent in parallel, and partitions that failed with a stale-metadata error are retried after a
 * metadata refresh.
 */
import { ApiKeys, type ListOffsetsResponse } from '../protocol/messages/index.js';
import { KafkaError, needsMetadataRefresh } from './errors.js';
import type { Cluster } from './net/cluster.js';
import { withRetries } from './net/retry.js';
import { pushTo } from './collections.js';

/** Special timestamps of ListOffsets. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;

export interface OffsetSpec {
  topic: string;
  partition: number;
  /** LATEST_TIMESTAMP, EARLIEST_TIMESTAMP, MAX_TIMESTAMP or a timestamp in ms. */
  timestamp: number;
}

export interface OffsetResult {
  topic: string;
  partition: number;
  /** -1 when no record has a timestamp >= the requested one. */
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

export enum IsolationLevel {
  ReadUncommitted = 0,
  ReadCommitted = 1,
}

export async function listOffsets(
  cluster: Cluster,
  specs: readonly OffsetSpec[],
  isolationLevel = IsolationLevel.ReadUncommitted,
): Promise<OffsetResult[]> {
  const results = new Map<string, OffsetResult>();
  let pending = [...specs];
  const o = cluster.options;
  await withRetries(
    async () => {
      await cluster.ensureTopics([...new Set(pending.map((s) => s.topic))]);
      const byLeader = new Map<number, OffsetSpec[]>();
      for (const s of pending) {
        const leader = await cluster.leaderFor(s.topic, s.partition);
        pushTo(byLeader, leader, s);
      }
      const failed: OffsetSpec[] = [];
      let firstError: unknown;
      await Promise.all(
        [...byLeader].map(async ([leader, list]) => {
          try {
            const conn = await cluster.broker(leader);
            const topics = new Map<string, OffsetSpec[]>();
            for (const s of list) {
              pushTo(topics, s.topic, s);
            }
            const res = await conn.request<ListOffsetsResponse>(ApiKeys.ListOffsets, {
              replicaId: -1,
              isolationLevel,
              timeoutMs: o.requestTimeoutMs,
              topics: [...topics].map(([name, ps]) => ({
                name,
                partitions: ps.map((p) => ({
                  partitionIndex: p.partition,
                  currentLeaderEpoch: -1,
                  timestamp: BigInt(p.timestamp),
                  maxNumOffsets: 1,
                })),
              })),
            });
            for (const t of res.topics) {
              for (const p of t.partitions) {
                const spec = list.find((s) => s.topic === t.name && s.partition === p.partitionIndex);
                if (!spec) continue;
                if (p.errorCode !== 0) {
                  const err = new KafkaError(p.errorCode, {
                    topic: t.name,
                    partition: p.partitionIndex,
                    api: 'ListOffsets',
                  });
                  if (!err.retriable) throw err;
                  firstError ??= err;
                  failed.push(spec);
                  continue;
                }
                results.set(`${t.name}:${p.partitionIndex}`, {
                  topic: t.name,
                  partition: p.partitionIndex,
                  offset: Number(p.offset),
                  timestamp: Number(p.timestamp),
                  leaderEpoch: p.leaderEpoch,
                });
              }
            }
          } catch (err) {
            if (!(err as { retriable?: boolean }).retriable) throw err;
            firstError ??= err;
            failed.push(...list);
          }
        }),
      );
      pending = failed;
      if (failed.length > 0) {
        if (needsMetadataRefresh(firstError)) cluster.markStale();
        throw firstError;
      }
    },
    { retries: 10, baseMs: o.retryBackoffMs, maxMs: o.retryBackoffMaxMs, deadline: Date.now() + o.requestTimeoutMs },
  );
  return specs.map((s) => results.get(`${s.topic}:${s.partition}`)!);
}
