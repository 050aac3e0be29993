/**
 * Fetch (key 1), versions 4-17 (Kafka 4 dropped 0-3, which need message formats v0/v1).
 * - Consumer fetches read up to the high watermark; the response byte budget (max.bytes, capped by
 *   fetch.max.bytes) is shared in request order and the first non-empty partition may exceed it
 *   (KIP-74). A fetch with less than min.bytes waits in the fetch purgatory up to max.wait.ms and
 *   is answered as soon as enough data arrives.
 * - Fetch sessions (v7+, KIP-227): epoch 0 opens a session, n > 0 continues it (only partitions
 *   with news are returned), -1 is sessionless. Errors: FETCH_SESSION_ID_NOT_FOUND,
 *   INVALID_FETCH_SESSION_EPOCH at the top level.
 * - v13+ names topics by id (UNKNOWN_TOPIC_ID when unknown). currentLeaderEpoch is checked (v9+).
 * - isolation_level is accepted; without transactions LSO = HW and there are no aborted txns.
 * - Records are the log's bytes as read; the dispatcher splices them into the socket write
 *   (Writer spliceMinBytes) rather than copying them into the response buffer.
 * Not yet: follower fetches (replicaId >= 0 are served like consumers), preferred read replicas,
 * diverging-epoch detection (needs replication).
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type {
  FetchRequest,
  FetchResponse,
  FetchResponseFetchableTopicResponse,
  FetchResponsePartitionData,
} from '../../protocol/messages/index.js';
import { E } from '../errors.js';
import { uuidToString } from '../metadata/uuid.js';
import type { SessionPartition } from '../replica/fetch-session.js';
import type { FetchPartitionResult } from '../replica/replica-manager.js';
import { defineHandler } from './types.js';

interface Wanted {
  topic: string;
  topicId: Buffer;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  /** Error decided before reading (unknown topic id). */
  errorCode: number;
  cached?: SessionPartition;
}

export default defineHandler<FetchRequest, FetchResponse>({
  apiKey: ApiKeys.Fetch,
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    const { broker } = ctx;
    const byId = v >= 13;
    const empty = (errorCode: number, sessionId = 0): FetchResponse => ({ throttleTimeMs: 0, errorCode, sessionId, responses: [], nodeEndpoints: [] });

    const resolveName = (topic: string, topicId: Buffer): { name: string; errorCode: number } => {
      if (!byId) return { name: topic, errorCode: E.NONE };
      const t = broker.metadata.topicById(topicId);
      return t ? { name: t.name, errorCode: E.NONE } : { name: '', errorCode: E.UNKNOWN_TOPIC_ID };
    };
    const requested: Wanted[] = req.topics.flatMap((t) => {
      const { name, errorCode } = resolveName(t.topic, t.topicId);
      const topicId = byId ? t.topicId : (broker.metadata.topic(name)?.topicId ?? Buffer.alloc(16));
      return t.partitions.map((p) => ({
        topic: name,
        topicId,
        partition: p.partition,
        fetchOffset: Number(p.fetchOffset),
        partitionMaxBytes: p.partitionMaxBytes,
        currentLeaderEpoch: v >= 9 ? p.currentLeaderEpoch : -1,
        errorCode,
      }));
    });

    // ---- session bookkeeping ----
    let wanted = requested;
    let sessionId = 0;
    let incremental = false;
    if (v >= 7) {
      const res = broker.fetchSessions.resolve(req.sessionId, req.sessionEpoch, broker.clock.monotonic());
      if (res.kind === 'error') return empty(res.errorCode);
      const session = res.kind === 'new' || res.kind === 'incremental' ? res.session : undefined;
      if (session) {
        sessionId = session.id;
        incremental = res.kind === 'incremental';
        const keyOf = (w: { topic: string; topicId: Buffer; partition: number }) => `${byId ? uuidToString(w.topicId) : w.topic}:${w.partition}`;
        if (incremental) {
          for (const f of req.forgottenTopicsData) {
            for (const p of f.partitions) session.partitions.delete(keyOf({ topic: f.topic, topicId: f.topicId, partition: p }));
          }
        }
        for (const w of requested) {
          const k = keyOf(w);
          const prev = session.partitions.get(k);
          session.partitions.set(k, {
            topic: w.topic,
            topicId: w.topicId,
            partition: w.partition,
            fetchOffset: w.fetchOffset,
            partitionMaxBytes: w.partitionMaxBytes,
            currentLeaderEpoch: w.currentLeaderEpoch,
            lastHighWatermark: prev?.lastHighWatermark ?? -1,
            lastLogStartOffset: prev?.lastLogStartOffset ?? -1,
            lastStableOffset: prev?.lastStableOffset ?? -1,
          });
        }
        wanted = [...session.partitions.values()].map((sp) => {
          const fresh = byId ? broker.metadata.topicById(sp.topicId) : undefined;
          return {
            topic: byId ? (fresh?.name ?? '') : sp.topic,
            topicId: sp.topicId,
            partition: sp.partition,
            fetchOffset: sp.fetchOffset,
            partitionMaxBytes: sp.partitionMaxBytes,
            currentLeaderEpoch: sp.currentLeaderEpoch,
            errorCode: byId && !fresh ? E.UNKNOWN_TOPIC_ID : E.NONE,
            cached: sp,
          };
        });
        if (incremental) session.epoch++;
      }
    }

    // ---- read (long poll) ----
    const readable = wanted.filter((w) => w.errorCode === E.NONE);
    const maxBytes = Math.min(req.maxBytes, broker.config.int('fetch.max.bytes'));
    const results = await broker.replicas.fetchMessages({
      maxWaitMs: req.maxWaitMs,
      minBytes: req.minBytes,
      maxBytes,
      partitions: readable.map((w) => ({
        topic: w.topic,
        partition: w.partition,
        fetchOffset: w.fetchOffset,
        partitionMaxBytes: w.partitionMaxBytes,
        currentLeaderEpoch: w.currentLeaderEpoch,
      })),
    });
    const byWanted = new Map<Wanted, FetchPartitionResult>();
    for (const [i, w] of readable.entries()) byWanted.set(w, results[i]!);

    // ---- build the response, grouping consecutive partitions of one topic ----
    const responses: FetchResponseFetchableTopicResponse[] = [];
    for (const w of wanted) {
      const r = byWanted.get(w) ?? { errorCode: w.errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: null };
      const c = w.cached;
      if (incremental && c) {
        const changed =
          r.errorCode !== E.NONE ||
          (r.records?.length ?? 0) > 0 ||
          r.highWatermark !== c.lastHighWatermark ||
          r.logStartOffset !== c.lastLogStartOffset ||
          r.lastStableOffset !== c.lastStableOffset;
        if (!changed) continue;
      }
      if (c) {
        c.lastHighWatermark = r.highWatermark;
        c.lastLogStartOffset = r.logStartOffset;
        c.lastStableOffset = r.lastStableOffset;
      }
      const pd: FetchResponsePartitionData = {
        partitionIndex: w.partition,
        errorCode: r.errorCode,
        highWatermark: BigInt(r.highWatermark),
        lastStableOffset: BigInt(r.lastStableOffset),
        logStartOffset: BigInt(r.logStartOffset),
        divergingEpoch: { epoch: -1, endOffset: -1n },
        currentLeader: { leaderId: -1, leaderEpoch: -1 },
        snapshotId: { endOffset: -1n, epoch: -1 },
        abortedTransactions: req.isolationLevel === 1 ? [] : null,
        preferredReadReplica: -1,
        records: r.records ?? Buffer.alloc(0),
      };
      const last = responses[responses.length - 1];
      if (last && last.topic === w.topic && last.topicId.equals(w.topicId)) last.partitions.push(pd);
      else responses.push({ topic: w.topic, topicId: w.topicId, partitions: [pd] });
    }
    return { throttleTimeMs: 0, errorCode: E.NONE, sessionId, responses, nodeEndpoints: [] };
  },
});
