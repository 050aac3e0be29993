/**
 * Fetcher: keeps records flowing from partition leaders into an in-memory buffer ahead of the
 * application (fetch pipelining), so consumption is bounded by throughput, not request latency.
 *
 * Per leader broker at most one Fetch is in flight, on a dedicated 'fetch' connection (a
 * long-poll there must not delay heartbeats or commits). As soon as a response arrives the next
 * fetch goes out — while the application is still processing the previous records — for every
 * assigned, unpaused partition with a known position, until the buffer holds
 * `maxBufferedBytes`; the buffer draining below that restarts fetching (backpressure).
 *
 * Positions: `position` is the next offset to fetch, advanced as responses arrive. Each
 * partition has an `epoch` bumped by seek/assign/pause; a response or buffered data from an
 * older epoch is dropped, so a seek never delivers records from before it.
 *
 * read_committed: records of aborted transactions are dropped using the response's
 * abortedTransactions list (Kafka's algorithm: a producer is "aborted" from its first offset
 * until its ABORT marker), and control batches are never delivered.
 */
import { ApiKeys, type FetchResponse, type FetchResponsePartitionData } from '../../protocol/messages/index.js';
import { batchLastOffset, LOG_OVERHEAD } from '../../protocol/records/batch-header.js';
import { RecordBatchError } from '../../protocol/records/errors.js';
import { KafkaError, needsMetadataRefresh } from '../errors.js';
import type { Cluster } from '../net/cluster.js';
import { backoffMs } from '../net/retry.js';
import { FetchedChunk, type FetchedRecord } from './fetched-chunk.js';
import { FetchSession } from './fetch-session.js';
import { type TopicPartition, tpKey } from './protocol.js';
import { pushTo } from '../collections.js';

export interface FetcherOptions {
  minBytes: number;
  maxBytes: number;
  maxWaitMs: number;
  /** A number is the user's max.partition.fetch.bytes; 'auto' shares the buffer (see below). */
  maxPartitionBytes: number | 'auto';
  isolationLevel: 0 | 1;
  maxBufferedBytes: number;
}

export interface PartitionState {
  topic: string;
  partition: number;
  /** Next offset to fetch; -1 until resolved (committed offset or auto.offset.reset). */
  position: number;
  paused: boolean;
  epoch: number;
  highWatermark: number;
  /** Error waiting for the application (e.g. OFFSET_OUT_OF_RANGE with reset 'none'). */
  error?: unknown;
  needsReset?: boolean;
  /** partitionMaxBytes last put in a request for this partition (the fetch session compares it). */
  maxBytes?: number;
}

export { FetchedChunk, type FetchedRecord };

const ZERO_UUID = Buffer.alloc(16);
const MiB = 1024 * 1024;
/** Bounds of the 'auto' partition fetch size: Java's 1 MiB default up to 8 MiB. */
const AUTO_MIN_PARTITION_BYTES = MiB;
const AUTO_MAX_PARTITION_BYTES = 8 * MiB;
/** Smallest length a batch can claim (Kafka's v0 message overhead, validation's first check). */
const MIN_BATCH_SIZE = LOG_OVERHEAD + 14;

export class Fetcher {
  readonly partitions = new Map<string, PartitionState>();
  readonly buffer: FetchedChunk[] = [];
  private bufferedBytes = 0;
  private readonly inFlight = new Set<number>();
  private readonly sessions = new Map<number, FetchSession>();
  private readonly backoffUntil = new Map<number, number>();
  private running = false;
  private attempts = 0;
  /** Called when data arrives or a partition needs the consumer's attention. */
  onData: () => void = () => {};
  /** Called for OFFSET_OUT_OF_RANGE: the consumer applies auto.offset.reset. */
  onOutOfRange: (tp: PartitionState) => void = () => {};
  readonly stats = { fetches: 0, records: 0, bytes: 0 };

  constructor(
    private readonly cluster: Cluster,
    private readonly o: FetcherOptions,
  ) {}

  start(): void {
    this.running = true;
    this.pump();
  }

  stop(): void {
    this.running = false;
  }

  assign(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      const k = tpKey(tp.topic, tp.partition);
      if (!this.partitions.has(k))
        this.partitions.set(k, {
          topic: tp.topic,
          partition: tp.partition,
          position: -1,
          paused: false,
          epoch: 0,
          highWatermark: -1,
        });
    }
  }

  unassign(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      const k = tpKey(tp.topic, tp.partition);
      const s = this.partitions.get(k);
      if (s) s.epoch++;
      this.partitions.delete(k);
    }
    this.dropStale();
  }

  state(topic: string, partition: number): PartitionState | undefined {
    return this.partitions.get(tpKey(topic, partition));
  }

  seek(topic: string, partition: number, offset: number): void {
    const s = this.partitions.get(tpKey(topic, partition));
    if (!s) throw new Error(`partition ${topic}-${partition} is not assigned to this consumer`);
    s.position = offset;
    s.epoch++;
    s.error = undefined;
    s.needsReset = false;
    this.dropStale();
    this.pump();
  }

  pause(tps: readonly TopicPartition[], paused: boolean): void {
    for (const tp of tps) {
      const s = this.partitions.get(tpKey(tp.topic, tp.partition));
      if (!s || s.paused === paused) continue;
      s.paused = paused;
      // buffered records of a paused partition are kept out of `take` but not dropped
    }
    if (!paused) this.pump();
  }

  /** Removes buffered chunks that belong to an older epoch or an unassigned partition. */
  private dropStale(): void {
    for (let i = this.buffer.length - 1; i >= 0; i--) {
      const c = this.buffer[i]!;
      const s = this.partitions.get(tpKey(c.topic, c.partition));
      if (!s || s.epoch !== c.epoch) {
        this.bufferedBytes -= c.bytes;
        this.buffer.splice(i, 1);
      }
    }
  }

  /**
   * Hands out up to `max` records, in arrival order, skipping paused partitions; records are
   * decoded here, as they are handed out (see FetchedChunk). A corrupt or invalid batch ends its
   * chunk: the records before it go out, and the partition holds the error for the next poll
   * and will fetch again from the first record not handed out (Java's consumer does the same).
   */
  take(max: number): Array<{ chunk: FetchedChunk; records: FetchedRecord[] }> {
    const out: Array<{ chunk: FetchedChunk; records: FetchedRecord[] }> = [];
    const before = this.bufferedBytes;
    let n = 0;
    for (let i = 0; i < this.buffer.length && n < max; ) {
      const c = this.buffer[i]!;
      const s = this.partitions.get(tpKey(c.topic, c.partition));
      if (!s || s.epoch !== c.epoch) {
        this.bufferedBytes -= c.bytes;
        this.buffer.splice(i, 1);
        continue;
      }
      if (s.paused) {
        i++;
        continue;
      }
      const records: FetchedRecord[] = [];
      try {
        c.read(max - n, records);
      } catch (err) {
        this.failChunk(s, c, err); // bumps the epoch: the next turn drops the chunk
      }
      if (records.length > 0) {
        out.push({ chunk: c, records });
        n += records.length;
      }
      if (c.done) {
        this.bufferedBytes -= c.bytes;
        this.buffer.splice(i, 1);
      } else if (s.epoch === c.epoch) i++;
    }
    this.stats.records += n;
    if (this.bufferedBytes < before) this.pump();
    return out;
  }

  private failChunk(s: PartitionState, c: FetchedChunk, err: unknown): void {
    s.position = c.nextOffset;
    s.epoch++;
    s.error =
      err instanceof RecordBatchError
        ? new KafkaError(err.errorCode, { topic: s.topic, partition: s.partition, api: 'Fetch' }, { cause: err })
        : err;
    this.onData();
  }

  hasBuffered(): boolean {
    return this.buffer.some((c) => !this.partitions.get(tpKey(c.topic, c.partition))?.paused);
  }

  /** Starts a fetch to every leader that has fetchable partitions and nothing in flight. */
  pump(): void {
    if (!this.running || this.bufferedBytes >= this.o.maxBufferedBytes) return;
    const byLeader = new Map<number, PartitionState[]>();
    const bufferedParts = new Set(this.buffer.map((c) => tpKey(c.topic, c.partition)));
    let missingLeader = false;
    for (const s of this.partitions.values()) {
      if (s.paused || s.position < 0 || s.error !== undefined || s.needsReset) continue;
      // one chunk per partition ahead of the application is enough to keep it busy
      if (bufferedParts.has(tpKey(s.topic, s.partition)) && this.bufferedBytes >= this.o.maxBufferedBytes / 2) continue;
      const p = this.cluster.metadata.partition(s.topic, s.partition);
      if (!p || p.leader < 0) {
        missingLeader = true;
        continue;
      }
      pushTo(byLeader, p.leader, s);
    }
    if (missingLeader) this.refresh();
    const now = Date.now();
    for (const [leader, list] of byLeader) {
      if (this.inFlight.has(leader) || (this.backoffUntil.get(leader) ?? 0) > now) continue;
      this.fetchFrom(leader, list);
    }
  }

  private refreshing = false;
  private refresh(): void {
    if (this.refreshing) return;
    this.refreshing = true;
    this.cluster.markStale();
    this.cluster
      .refreshMetadata()
      .catch(() => {})
      .finally(() => {
        this.refreshing = false;
        setTimeout(() => this.pump(), this.cluster.options.retryBackoffMs).unref();
      });
  }

  /**
   * Per-partition fetch size. 'auto' (the default) gives each assigned partition an equal share
   * of half the buffer, between 1 MiB and 8 MiB: with one partition and Java's fixed 1 MiB, one
   * fetch in flight per broker made consumption round-trip-bound (a 1 MiB response every ~4 ms
   * on loopback); a bigger share cuts the round trips while memory stays within
   * maxBufferedBytes plus one response, and many partitions get Java's 1 MiB.
   */
  private partitionMaxBytes(): number {
    const m = this.o.maxPartitionBytes;
    if (m !== 'auto') return m;
    const share = Math.floor(this.o.maxBufferedBytes / 2 / Math.max(1, this.partitions.size));
    return Math.min(this.o.maxBytes, Math.max(AUTO_MIN_PARTITION_BYTES, Math.min(AUTO_MAX_PARTITION_BYTES, share)));
  }

  private fetchFrom(leader: number, list: PartitionState[]): void {
    this.inFlight.add(leader);
    const maxBytes = this.partitionMaxBytes();
    for (const s of list) s.maxBytes = maxBytes;
    // every wanted partition counts for the stale check: the session may answer for ones not sent
    const epochs = new Map(list.map((s) => [tpKey(s.topic, s.partition), { epoch: s.epoch, position: s.position }]));
    const live = this.cluster.connectedBroker(leader, 'fetch');
    // sessions need Fetch v7+ and a connection in hand (its version decides)
    const useSession = live !== undefined && (live.versionOf(ApiKeys.Fetch) ?? 0) >= 7;
    const session = this.sessions.get(leader) ?? new FetchSession();
    this.sessions.set(leader, session);
    if (!useSession) session.reset();
    const plan = useSession ? session.next(list) : undefined;
    const topics = new Map<string, PartitionState[]>();
    for (const s of plan ? plan.send : list) {
      pushTo(topics, s.topic, s);
    }
    const body = {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs: this.o.maxWaitMs,
      minBytes: this.o.minBytes,
      maxBytes: this.o.maxBytes,
      isolationLevel: this.o.isolationLevel,
      sessionId: plan ? plan.sessionId : 0,
      sessionEpoch: plan ? plan.sessionEpoch : -1,
      topics: [...topics].map(([topic, ps]) => ({
        topic,
        topicId: this.cluster.metadata.topics.get(topic)?.topicId ?? ZERO_UUID,
        partitions: ps.map((s) => ({
          partition: s.partition,
          currentLeaderEpoch: -1,
          fetchOffset: BigInt(s.position),
          lastFetchedEpoch: -1,
          logStartOffset: -1n,
          partitionMaxBytes: maxBytes,
          replicaDirectoryId: ZERO_UUID,
        })),
      })),
      forgottenTopicsData: (plan?.forgotten ?? []).map((f) => ({
        topic: f.topic,
        topicId: ZERO_UUID,
        partitions: f.partitions,
      })),
      rackId: '',
    };
    this.stats.fetches++;
    const timeoutMs = this.o.maxWaitMs + this.cluster.options.requestTimeoutMs;
    // write now when connected, so the fetch is on the wire before this tick decodes the last one
    const sent = live
      ? live.request<FetchResponse>(ApiKeys.Fetch, body, { timeoutMs })
      : this.cluster
          .broker(leader, 'fetch')
          .then((conn) => conn.request<FetchResponse>(ApiKeys.Fetch, body, { timeoutMs }));
    sent
      .then(
        (res) => {
          this.inFlight.delete(leader);
          this.attempts = 0;
          if (res.errorCode !== 0) {
            // FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH, ...: start a new session
            session.reset();
            if (res.errorCode === 70 || res.errorCode === 71) {
              this.pump();
              return;
            }
            throw new KafkaError(res.errorCode, { api: 'Fetch' });
          }
          plan?.commit(res.sessionId);
          // Phase 1: advance positions from batch headers only, and send the next fetch at once;
          // phase 2 buffers the batches, which are decoded as the application takes them.
          const work: Array<() => boolean> = [];
          for (const t of res.responses) {
            for (const p of t.partitions) {
              const k = tpKey(t.topic, p.partitionIndex);
              const s = this.partitions.get(k);
              const sent = epochs.get(k);
              if (!s || !sent || s.epoch !== sent.epoch || s.position !== sent.position) continue;
              const decode = this.advance(s, p);
              if (decode) work.push(decode);
            }
          }
          this.pump();
          let data = false;
          for (const decode of work) if (decode()) data = true;
          if (data) this.onData();
          this.pump();
        },
        (err) => {
          this.inFlight.delete(leader);
          session.reset(); // the broker may or may not have moved the session on
          if (!this.running) return;
          if (needsMetadataRefresh(err)) this.refresh();
          this.backoffUntil.set(
            leader,
            Date.now() +
              backoffMs(this.attempts++, this.cluster.options.retryBackoffMs, this.cluster.options.retryBackoffMaxMs),
          );
          setTimeout(() => this.pump(), this.cluster.options.retryBackoffMs).unref();
        },
      )
      .catch((err) => {
        this.cluster.logger.warn({ err }, 'fetch failed');
        setTimeout(() => this.pump(), this.cluster.options.retryBackoffMs).unref();
      });
  }

  /**
   * Handles one partition of a response: errors now; for data, moves `position` past the last
   * whole batch (headers only) and returns the decoding step, which buffers the records and
   * says whether there were any. Decoding checks the epoch again: a seek in between wins.
   */
  private advance(s: PartitionState, p: FetchResponsePartitionData): (() => boolean) | undefined {
    if (p.errorCode !== 0) {
      const err = new KafkaError(p.errorCode, { topic: s.topic, partition: s.partition, api: 'Fetch' });
      if (err.name === 'OFFSET_OUT_OF_RANGE') {
        s.needsReset = true;
        this.onOutOfRange(s);
      } else if (needsMetadataRefresh(err) || err.retriable) this.refresh();
      else {
        s.error = err;
        this.onData();
      }
      return undefined;
    }
    s.highWatermark = Number(p.highWatermark);
    const buf = p.records;
    if (!buf || buf.length === 0) return undefined;
    const from = s.position;
    let next = from;
    let end = 0;
    while (end + LOG_OVERHEAD <= buf.length) {
      const size = LOG_OVERHEAD + buf.readInt32BE(end + 8);
      if (size < MIN_BATCH_SIZE) {
        // a damaged length: hand the rest to the chunk, whose validation reports it
        end = buf.length;
        break;
      }
      if (end + size > buf.length) break; // a partial batch at the end: fetched again next time
      next = Math.max(next, batchLastOffset(buf, end) + 1);
      end += size;
    }
    // not even one whole batch: Kafka always returns at least one, so this only happens when the
    // response was cut by fetch.max.bytes; the same offset is fetched again
    if (end === 0) return undefined;
    s.position = next;
    const epoch = s.epoch;
    return () => {
      if (this.partitions.get(tpKey(s.topic, s.partition)) !== s || s.epoch !== epoch) return false;
      const aborted = this.o.isolationLevel === 1 ? (p.abortedTransactions ?? []) : undefined;
      this.buffer.push(
        new FetchedChunk(s.topic, s.partition, epoch, buf.subarray(0, end), from, s.highWatermark, aborted),
      );
      this.bufferedBytes += end;
      this.stats.bytes += end;
      return true;
    };
  }
}
