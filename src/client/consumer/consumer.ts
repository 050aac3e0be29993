/**
 * Consumer<K, V>: group-managed (subscribe) or manually assigned (assign) consumption.
 *
 *   const c = new Consumer({ bootstrapServers, groupId: 'billing', valueDeserializer: deserializers.json });
 *   await c.subscribe(['orders']);
 *   for await (const record of c) { ... }             // at-least-once with auto-commit
 *   await c.run({ eachBatch: async (batch) => {...} }); // or a batch handler
 *
 * Delivery semantics hang on "processed": a record counts as processed once the application asks
 * for the next one (iterator) or returns from its handler (run) or calls poll() again. Auto-commit
 * (every auto.commit.interval.ms, before partitions are revoked, and on close) commits processed
 * positions only, so a crash re-delivers at most the records in progress: at-least-once.
 * At-most-once: disable auto-commit and commit a record's offset before processing it.
 *
 * Positions of newly assigned partitions come from the group's committed offsets, else from
 * auto.offset.reset (earliest/latest; 'none' surfaces an error). Rebalance listeners run on the
 * poll path, between records, never concurrently with the application's handler.
 */

import { raceAbort } from '../abort.js';
import { ClientError } from '../errors.js';
import { Cluster } from '../net/cluster.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from '../offsets.js';
import type { ClientOptions } from '../options.js';
import type { Deserializer } from '../producer/serializers.js';
import { ASSIGNORS, type Assignor } from './assignors.js';
import { Fetcher } from './fetcher.js';
import { type CommitOffset, GroupMembership } from './membership.js';
import { resolvePositions } from './positions.js';
import { RecordIterator } from './record-iterator.js';
import { type TopicPartition, tpKey } from './protocol.js';

export type { TopicPartition };

export interface ConsumerRecord<K, V> {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: K | null;
  value: V | null;
  /** In record order; keys may repeat, as Kafka allows. */
  headers: Array<{ key: string; value: Buffer | null }>;
}

export interface ConsumerBatch<K, V> {
  topic: string;
  partition: number;
  records: ConsumerRecord<K, V>[];
  highWatermark: number;
}

export interface RebalanceListener {
  onAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  onRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  /** Partitions taken away without a clean revoke (session expired): do not commit for them. */
  onLost?(partitions: TopicPartition[]): void | Promise<void>;
}

export interface ConsumerOptions<K = Buffer, V = Buffer> extends ClientOptions {
  groupId?: string;
  groupInstanceId?: string;
  keyDeserializer?: Deserializer<K>;
  valueDeserializer?: Deserializer<V>;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** Default ['range', 'cooperative-sticky'] (Java's default: eager until all members upgrade). */
  assignors?: Array<'range' | 'roundrobin' | 'cooperative-sticky' | Assignor>;
  autoOffsetReset?: 'earliest' | 'latest' | 'none';
  enableAutoCommit?: boolean;
  autoCommitIntervalMs?: number;
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  fetchMinBytes?: number;
  fetchMaxBytes?: number;
  fetchMaxWaitMs?: number;
  /**
   * Default: an equal share of half of maxBufferedBytes per assigned partition, from 1 MiB
   * (Java's fixed default, reached from 8 partitions on) up to 8 MiB (one partition).
   */
  maxPartitionFetchBytes?: number;
  maxPollRecords?: number;
  /** Bytes fetched ahead of the application before fetching pauses (default 16 MiB). */
  maxBufferedBytes?: number;
  rebalanceListener?: RebalanceListener;
  rackId?: string;
}

export class Consumer<K = Buffer, V = Buffer> implements AsyncIterable<ConsumerRecord<K, V>> {
  readonly cluster: Cluster;
  readonly fetcher: Fetcher;
  readonly membership: GroupMembership | undefined;
  private readonly keyDeserializer: Deserializer<K> | undefined;
  private readonly valueDeserializer: Deserializer<V> | undefined;
  private mode: 'none' | 'subscribe' | 'assign' = 'none';
  /** Next offset after the last record handed to the application, per partition. */
  private readonly handed = new Map<string, number>();
  /** Next offset after the last record the application finished with. */
  private readonly processed = new Map<string, number>();
  private readonly lastPolled: Array<{ k: string; next: number }> = [];
  private waiter: { promise: Promise<void>; resolve: () => void } | undefined;
  private autoCommitTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private readonly closeController = new AbortController();
  private get closing(): AbortSignal {
    return this.closeController.signal;
  }
  private readonly o: Required<
    Pick<ConsumerOptions<K, V>, 'autoOffsetReset' | 'enableAutoCommit' | 'autoCommitIntervalMs' | 'maxPollRecords'>
  >;

  constructor(readonly options: ConsumerOptions<K, V>) {
    this.cluster = new Cluster(options);
    this.keyDeserializer = options.keyDeserializer;
    this.valueDeserializer = options.valueDeserializer;
    this.o = {
      autoOffsetReset: options.autoOffsetReset ?? 'latest',
      enableAutoCommit: (options.enableAutoCommit ?? true) && options.groupId !== undefined,
      autoCommitIntervalMs: options.autoCommitIntervalMs ?? 5_000,
      maxPollRecords: options.maxPollRecords ?? 500,
    };
    const fetchMaxBytes = options.fetchMaxBytes ?? 50 * 1024 * 1024;
    this.fetcher = new Fetcher(this.cluster, {
      minBytes: options.fetchMinBytes ?? 1,
      maxBytes: fetchMaxBytes,
      maxWaitMs: options.fetchMaxWaitMs ?? 500,
      maxPartitionBytes: options.maxPartitionFetchBytes ?? 'auto',
      isolationLevel: options.isolationLevel === 'read_committed' ? 1 : 0,
      maxBufferedBytes: options.maxBufferedBytes ?? 16 * 1024 * 1024,
    });
    this.fetcher.onData = () => this.wake();
    this.fetcher.onOutOfRange = () => this.wake();
    if (options.groupId !== undefined) {
      const maxPollIntervalMs = options.maxPollIntervalMs ?? 300_000;
      const assignors = (options.assignors ?? ['range', 'cooperative-sticky']).map((a) =>
        typeof a === 'string' ? ASSIGNORS[a]! : a,
      );
      this.membership = new GroupMembership(
        this.cluster,
        {
          groupId: options.groupId,
          groupInstanceId: options.groupInstanceId ?? null,
          sessionTimeoutMs: options.sessionTimeoutMs ?? 45_000,
          rebalanceTimeoutMs: maxPollIntervalMs,
          heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3_000,
          maxPollIntervalMs,
          assignors,
          rackId: options.rackId ?? null,
        },
        {
          onRevoke: (tps) => this.onRevoke(tps),
          onAssign: (tps) => this.onAssign(tps),
          onLost: (tps) => this.onLost(tps),
          wakeup: () => this.wake(),
        },
      );
    }
  }

  connect(): Promise<void> {
    this.connecting ??= this.cluster.connect().then(() => {
      this.fetcher.start();
      if (this.o.enableAutoCommit) this.scheduleAutoCommit();
    });
    return this.connecting;
  }

  /** Joins the group for these topics (requires groupId). Partitions arrive with the first poll. */
  async subscribe(topics: string | string[]): Promise<void> {
    if (!this.membership)
      throw new ClientError(
        'ERR_CLIENT_INVALID_ARGUMENT',
        'subscribe needs a groupId; use assign() for consumers without a group',
      );
    if (this.mode === 'assign')
      throw new ClientError('ERR_CLIENT_INVALID_ARGUMENT', 'this consumer uses manual assignment');
    this.mode = 'subscribe';
    const list = Array.isArray(topics) ? topics : [topics];
    await this.connect();
    await this.cluster.ensureTopics(list, { required: false, timeoutMs: 0 }).catch(() => {});
    this.membership.subscribe(list);
  }

  /** Manual assignment: no group membership (offsets still commit to groupId when one is set). */
  async assign(partitions: TopicPartition[]): Promise<void> {
    if (this.mode === 'subscribe')
      throw new ClientError('ERR_CLIENT_INVALID_ARGUMENT', 'this consumer is subscribed to a group');
    this.mode = 'assign';
    await this.connect();
    await this.cluster.ensureTopics([...new Set(partitions.map((p) => p.topic))]);
    const keep = new Set(partitions.map((p) => tpKey(p.topic, p.partition)));
    this.fetcher.unassign(this.assignment().filter((tp) => !keep.has(tpKey(tp.topic, tp.partition))));
    this.fetcher.assign(partitions);
    this.wake();
  }

  assignment(): TopicPartition[] {
    return [...this.fetcher.partitions.values()].map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve();
  }

  private waitForEvent(ms: number, signal?: AbortSignal): Promise<void> {
    if (!this.waiter) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.waiter = { promise, resolve };
    }
    const w = this.waiter;
    return new Promise<void>((resolve) => {
      // whichever comes first; the others are detached so idle polls do not pile up listeners
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      w.promise.then(done);
    });
  }

  /**
   * Returns up to maxPollRecords records, waiting up to `timeoutMs` for some. Calling poll again
   * marks the previous poll's records processed (what auto-commit commits), as in Java.
   */
  async poll(
    options: { maxRecords?: number; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<ConsumerRecord<K, V>[]> {
    for (const { k, next } of this.lastPolled.splice(0)) this.processed.set(k, next);
    const batches = await this.pollBatches(options);
    const out = batches.flatMap((b) => b.records);
    for (const b of batches)
      this.lastPolled.push({ k: tpKey(b.topic, b.partition), next: b.records[b.records.length - 1]!.offset + 1 });
    return out;
  }

  /** Core of poll: per-partition batches of records, in fetch order. */
  private async pollBatches(options: {
    maxRecords?: number;
    timeoutMs?: number;
    signal?: AbortSignal;
  }): Promise<ConsumerBatch<K, V>[]> {
    if (this.closed) throw new ClientError('ERR_CLIENT_CLOSED', 'the consumer is closed');
    if (this.mode === 'none')
      throw new ClientError('ERR_CLIENT_NOT_SUBSCRIBED', 'call subscribe() or assign() before consuming');
    await this.connect();
    const deadline = Date.now() + (options.timeoutMs ?? 1_000);
    const max = options.maxRecords ?? this.o.maxPollRecords;
    for (;;) {
      if (this.membership) this.membership.lastPollAt = Date.now();
      if (this.mode === 'subscribe' && this.membership!.needsRejoin) {
        // a join can wait for other members for up to their rebalance timeout: let abort/close cut it short
        await raceAbort(this.membership!.ensureActive(), options.signal, this.closing);
        if (this.closed || options.signal?.aborted) return [];
      }
      await this.resolvePositions();
      const taken = this.fetcher.take(max);
      if (taken.length > 0) {
        const kd = this.keyDeserializer;
        const vd = this.valueDeserializer;
        return taken.map(({ chunk, records }) => {
          // the fetcher made each record in its final shape: deserialize in place, no copy
          if (kd || vd)
            for (const r of records as Array<ConsumerRecord<unknown, unknown>>) {
              if (kd && r.key !== null) r.key = kd(r.key as Buffer, chunk.topic);
              if (vd && r.value !== null) r.value = vd(r.value as Buffer, chunk.topic);
            }
          this.handed.set(tpKey(chunk.topic, chunk.partition), records[records.length - 1]!.offset + 1);
          return {
            topic: chunk.topic,
            partition: chunk.partition,
            records: records as Array<ConsumerRecord<unknown, unknown>> as ConsumerRecord<K, V>[],
            highWatermark: chunk.highWatermark,
          };
        });
      }
      if (this.closed || options.signal?.aborted || Date.now() >= deadline) return [];
      await this.waitForEvent(Math.max(1, deadline - Date.now()), options.signal);
    }
  }

  private resolvePositions(): Promise<void> {
    return resolvePositions(
      this.fetcher,
      this.membership,
      this.cluster,
      this.o.autoOffsetReset,
      this.options.isolationLevel === 'read_committed' ? 1 : 0,
    );
  }

  /**
   * `for await (const record of consumer)`: a record is processed when the next one is asked
   * for. Leaving the loop early (break, throw) rewinds partitions to the first record not yet
   * handed out, so the next iteration continues exactly there.
   */
  messages(options: { signal?: AbortSignal } = {}): AsyncGenerator<ConsumerRecord<K, V>, void, undefined> {
    return new RecordIterator<ConsumerRecord<K, V>>({
      poll: () =>
        this.pollBatches({ timeoutMs: 1_000, signal: options.signal }).catch((err) => {
          if (this.closed) return [];
          throw err;
        }),
      active: () => !this.closed && !options.signal?.aborted,
      assigned: this.fetcher.partitions,
      touch: () => {
        if (this.membership) this.membership.lastPollAt = Date.now();
      },
      processed: (k, next) => this.processed.set(k, next),
      rewind: (pending, index) => this.rewind(pending, index),
    });
  }

  /** Seeks partitions back to the first record of `pending` not handed to the application. */
  private rewind(pending: Array<TopicPartition & { records: ConsumerRecord<K, V>[] }>, index: number): void {
    if (this.closed) return;
    const rewound = new Set<string>();
    pending.forEach((b, i) => {
      const k = tpKey(b.topic, b.partition);
      const from = i === 0 ? index : 0;
      if (rewound.has(k) || from >= b.records.length || !this.fetcher.state(b.topic, b.partition)) return;
      rewound.add(k);
      this.seek(b, b.records[from]!.offset);
      this.handed.set(k, b.records[from]!.offset);
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<ConsumerRecord<K, V>> {
    return this.messages();
  }

  /** Per-partition batches; a batch is processed when the next one is asked for. */
  async *batches(
    options: { signal?: AbortSignal; maxRecords?: number } = {},
  ): AsyncGenerator<ConsumerBatch<K, V>, void, undefined> {
    let pending: ConsumerBatch<K, V>[] = [];
    try {
      while (!this.closed && !options.signal?.aborted) {
        pending = await this.pollBatches({
          timeoutMs: 1_000,
          signal: options.signal,
          maxRecords: options.maxRecords,
        }).catch((err) => {
          if (this.closed) return [];
          throw err;
        });
        while (pending.length > 0) {
          const b = pending[0]!;
          if (this.fetcher.state(b.topic, b.partition)) {
            if (this.membership) this.membership.lastPollAt = Date.now();
            yield b;
            this.processed.set(tpKey(b.topic, b.partition), b.records[b.records.length - 1]!.offset + 1);
          }
          pending.shift();
        }
      }
    } finally {
      this.rewind(pending, 0);
    }
  }

  /** Runs a handler per record or per batch until `signal` aborts or the consumer closes. */
  async run(handlers: {
    eachMessage?: (r: ConsumerRecord<K, V>) => unknown;
    eachBatch?: (b: ConsumerBatch<K, V>) => unknown;
    signal?: AbortSignal;
  }): Promise<void> {
    if (handlers.eachBatch) {
      for await (const b of this.batches({ signal: handlers.signal })) await handlers.eachBatch(b);
    } else if (handlers.eachMessage) {
      for await (const r of this.messages({ signal: handlers.signal })) await handlers.eachMessage(r);
    } else throw new ClientError('ERR_CLIENT_INVALID_ARGUMENT', 'run() needs eachMessage or eachBatch');
  }

  /**
   * Commits offsets and waits for the coordinator. Without arguments: the position after every
   * record handed out so far (call it after processing them). Offsets are "next to read".
   */
  async commit(offsets?: CommitOffset[]): Promise<void> {
    if (!this.membership) throw new ClientError('ERR_CLIENT_INVALID_ARGUMENT', 'commit needs a groupId');
    const list = offsets ?? [...this.handed].map(([k, offset]) => ({ ...splitKey(k), offset }));
    await this.membership.commit(list, this.mode === 'subscribe');
    for (const o of list) {
      const k = tpKey(o.topic, o.partition);
      if ((this.processed.get(k) ?? -1) < o.offset) this.processed.set(k, o.offset);
    }
  }

  /** Fire-and-forget commit; `callback` gets the error, if any. */
  commitAsync(offsets?: CommitOffset[], callback?: (err?: unknown) => void): void {
    this.commit(offsets).then(
      () => callback?.(),
      (err) => (callback ? callback(err) : this.cluster.logger.warn({ err }, 'async commit failed')),
    );
  }

  /** Commits what the application has finished processing (auto-commit's unit of work). */
  private async commitProcessed(partitions?: TopicPartition[]): Promise<void> {
    if (!this.membership) return;
    const only = partitions ? new Set(partitions.map((p) => tpKey(p.topic, p.partition))) : undefined;
    const list = [...this.processed]
      .filter(([k]) => !only || only.has(k))
      .map(([k, offset]) => ({ ...splitKey(k), offset }));
    if (list.length === 0) return;
    await this.membership.commit(list, this.mode === 'subscribe');
  }

  private scheduleAutoCommit(): void {
    clearTimeout(this.autoCommitTimer);
    if (this.closed) return;
    this.autoCommitTimer = setTimeout(() => {
      // also during a rebalance: Kafka accepts commits of the current generation until the
      // group completes the rebalance, and a stale generation just fails this round
      this.commitProcessed()
        .catch((err) => this.cluster.logger.debug({ err }, 'auto-commit failed; retried at the next interval'))
        .finally(() => this.scheduleAutoCommit());
    }, this.o.autoCommitIntervalMs);
    this.autoCommitTimer.unref();
  }

  async committed(partitions: TopicPartition[]): Promise<Array<TopicPartition & { offset: number }>> {
    if (!this.membership) throw new ClientError('ERR_CLIENT_INVALID_ARGUMENT', 'committed offsets need a groupId');
    await this.connect();
    const c = await this.membership.committed(partitions);
    return partitions.map((tp) => ({ ...tp, offset: c.get(tpKey(tp.topic, tp.partition))?.offset ?? -1 }));
  }

  /** Next offset the application will see for a partition (-1 when not yet known). */
  position(tp: TopicPartition): number {
    const k = tpKey(tp.topic, tp.partition);
    return this.handed.get(k) ?? this.fetcher.state(tp.topic, tp.partition)?.position ?? -1;
  }

  /**
   * Records between the application's position and the high watermark of the last fetch, per
   * assigned partition (-1 until the partition has been fetched). Costs no request.
   */
  lag(): Array<TopicPartition & { lag: number }> {
    return [...this.fetcher.partitions.values()].map((s) => {
      const position = this.handed.get(tpKey(s.topic, s.partition)) ?? s.position;
      return {
        topic: s.topic,
        partition: s.partition,
        lag: s.highWatermark < 0 || position < 0 ? -1 : Math.max(0, s.highWatermark - position),
      };
    });
  }

  seek(tp: TopicPartition, offset: number): void {
    this.fetcher.seek(tp.topic, tp.partition, offset);
    this.handed.delete(tpKey(tp.topic, tp.partition));
    this.wake();
  }

  async seekToBeginning(tps: TopicPartition[] = this.assignment()): Promise<void> {
    await this.seekToTimestamp(tps, EARLIEST_TIMESTAMP);
  }

  async seekToEnd(tps: TopicPartition[] = this.assignment()): Promise<void> {
    await this.seekToTimestamp(tps, LATEST_TIMESTAMP);
  }

  /** Seeks each partition to the first offset with timestamp >= `timestamp` (the end if none). */
  async seekToTimestamp(tps: TopicPartition[], timestamp: number): Promise<void> {
    if (tps.length === 0) return;
    const found = await listOffsets(
      this.cluster,
      tps.map((tp) => ({ ...tp, timestamp })),
    );
    const ends = found.some((f) => f.offset < 0)
      ? await listOffsets(
          this.cluster,
          tps.map((tp) => ({ ...tp, timestamp: LATEST_TIMESTAMP })),
        )
      : [];
    for (const [i, tp] of tps.entries()) this.seek(tp, found[i]!.offset >= 0 ? found[i]!.offset : ends[i]!.offset);
  }

  pause(tps: TopicPartition[]): void {
    this.fetcher.pause(tps, true);
  }

  resume(tps: TopicPartition[]): void {
    this.fetcher.pause(tps, false);
    this.wake();
  }

  paused(): TopicPartition[] {
    return [...this.fetcher.partitions.values()]
      .filter((s) => s.paused)
      .map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  private async onRevoke(tps: TopicPartition[]): Promise<void> {
    if (this.o.enableAutoCommit)
      await this.commitProcessed(tps).catch((err) => this.cluster.logger.warn({ err }, 'commit before revoke failed'));
    await this.options.rebalanceListener?.onRevoked?.(tps);
    this.forget(tps);
  }

  private async onAssign(tps: TopicPartition[]): Promise<void> {
    this.fetcher.assign(tps);
    await this.options.rebalanceListener?.onAssigned?.(tps);
  }

  private async onLost(tps: TopicPartition[]): Promise<void> {
    await this.options.rebalanceListener?.onLost?.(tps);
    this.forget(tps);
  }

  private forget(tps: TopicPartition[]): void {
    this.fetcher.unassign(tps);
    for (const tp of tps) {
      const k = tpKey(tp.topic, tp.partition);
      this.handed.delete(k);
      this.processed.delete(k);
    }
  }

  /** Commits processed offsets (auto-commit), leaves the group, and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closeController.abort();
    clearTimeout(this.autoCommitTimer);
    this.wake();
    this.fetcher.stop();
    if (this.connecting) {
      if (this.o.enableAutoCommit && this.mode === 'subscribe')
        await this.commitProcessed().catch((err) => this.cluster.logger.warn({ err }, 'final commit failed'));
      if (this.o.enableAutoCommit && this.mode === 'assign') await this.commitProcessed().catch(() => {});
      if (this.mode === 'subscribe') await this.membership?.leave().catch(() => {});
    }
    this.membership?.stop();
    // nothing left to wait for: a pending JoinGroup or long-poll Fetch is cut, not drained
    await this.cluster.close(0);
  }
}

function splitKey(k: string): TopicPartition {
  const i = k.lastIndexOf('\u0000');
  return { topic: k.slice(0, i), partition: Number(k.slice(i + 1)) };
}
