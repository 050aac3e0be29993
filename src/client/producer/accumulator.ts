/**
 * RecordAccumulator: per-partition queues of batches waiting to be sent.
 *
 * A record is appended to the last open batch of its partition, or opens a new one. A batch is
 * *ready* when it is full (batch.size), has waited linger.ms, a flush is in progress, or the
 * producer is closing. Batches of a partition leave in order (`drain` takes from the head);
 * failed batches come back with `reenqueue`, which keeps them ordered by creation so a retry
 * never overtakes a later batch of the same partition.
 *
 * buffer.memory bounds the bytes held by unsent and in-flight records. An append that does not
 * fit waits (FIFO, so big records are not starved by small ones) until the sender frees space,
 * or fails with ERR_CLIENT_BUFFER_FULL after max.block.ms. `writable`/`waitForSpace` expose the
 * same signal to callers that want to stop producing instead of queueing promises.
 *
 * Single-threaded: everything runs on the event loop; "in flight" state is owned by the sender.
 */
import type { RecordInput } from '../../protocol/records/record.js';
import { ClientError } from '../errors.js';

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1 with acks=0 (the broker does not answer). */
  offset: number;
  timestamp: number;
}

interface Delivery {
  resolve: (m: RecordMetadata) => void;
  reject: (e: unknown) => void;
}

let nextBatchId = 0;

export class ProducerBatch {
  /** Creation order; halves of a split batch take fractions between it and the next id. */
  id = nextBatchId++;
  span = 1;
  readonly records: RecordInput[] = [];
  readonly deliveries: Delivery[] = [];
  sizeBytes = 0;
  closed = false;
  attempts = 0;
  /** Sequence of the first record, assigned when first drained with idempotence (then fixed). */
  baseSequence = -1;
  producerId = -1n;
  producerEpoch = -1;
  /** Encoded bytes, kept across retries so a retry resends exactly the same batch. */
  encoded: Buffer | undefined;
  retryAt = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly createdAt: number,
    readonly deadline: number,
  ) {}

  complete(baseOffset: number, logAppendTime: number): void {
    for (let i = 0; i < this.deliveries.length; i++) {
      const r = this.records[i]!;
      this.deliveries[i]!.resolve({
        topic: this.topic,
        partition: this.partition,
        offset: baseOffset < 0 ? -1 : baseOffset + i,
        timestamp: logAppendTime >= 0 ? logAppendTime : (r.timestamp ?? this.createdAt),
      });
    }
  }

  fail(err: unknown): void {
    for (const d of this.deliveries) d.reject(err);
  }

  /**
   * Splits into two batches of half the records each (for MESSAGE_TOO_LARGE), keeping this
   * batch's place in the partition's order and each record's delivery promise.
   */
  split(): [ProducerBatch, ProducerBatch] {
    const half = Math.ceil(this.records.length / 2);
    const payload = this.sizeBytes - BATCH_OVERHEAD;
    const firstPayload = Math.round((payload * half) / this.records.length);
    const make = (from: number, to: number, id: number, bytes: number) => {
      const b = new ProducerBatch(this.topic, this.partition, this.createdAt, this.deadline);
      // the halves share this batch's id range [id, id + span): order against others is kept
      b.id = id;
      b.span = this.span / 2;
      b.records.push(...this.records.slice(from, to));
      b.deliveries.push(...this.deliveries.slice(from, to));
      b.sizeBytes = BATCH_OVERHEAD + bytes; // the halves release exactly what this batch holds
      b.closed = true;
      return b;
    };
    return [
      make(0, half, this.id, firstPayload),
      make(half, this.records.length, this.id + this.span / 2, payload - firstPayload),
    ];
  }
}

export interface AccumulatorOptions {
  batchSize: number;
  lingerMs: number;
  bufferMemory: number;
  maxBlockMs: number;
  deliveryTimeoutMs: number;
}

/** Bytes a record takes in a batch, roughly (varint lengths plus per-record overhead). */
export function estimateRecordSize(r: RecordInput): number {
  let n = 21 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers ?? []) n += 8 + h.key.length + (h.value?.length ?? 0);
  return n;
}

const BATCH_OVERHEAD = 61;

export class RecordAccumulator {
  private readonly queues = new Map<string, ProducerBatch[]>();
  private usedBytes = 0;
  private readonly waiters: Array<{
    bytes: number;
    resolve: () => void;
    reject: (e: unknown) => void;
    timer: NodeJS.Timeout;
  }> = [];
  private flushing = 0;
  closing = false;
  /** Called when a batch became ready or space was freed: the sender should look. */
  onReady: () => void = () => {};
  private lingerTimer: NodeJS.Timeout | undefined;
  private lingerAt = Infinity;

  constructor(private readonly o: AccumulatorOptions) {}

  get bufferedBytes(): number {
    return this.usedBytes;
  }

  /** False while the buffer is full: a caller should `await waitForSpace()` before more sends. */
  get writable(): boolean {
    return this.usedBytes < this.o.bufferMemory && this.waiters.length === 0;
  }

  waitForSpace(): Promise<void> {
    if (this.writable) return Promise.resolve();
    return this.reserve(0).then(() => {});
  }

  /** True when appending to this partition would open a new batch (the sticky partitioner asks). */
  wouldOpenBatch(topic: string, partition: number, size: number): boolean {
    const q = this.queues.get(key(topic, partition));
    const last = q?.[q.length - 1];
    return last === undefined || last.closed || last.attempts > 0 || last.sizeBytes + size > this.o.batchSize;
  }

  /** Appends a record; the returned promise settles when the broker acknowledges it. */
  append(
    topic: string,
    partition: number,
    record: RecordInput,
    size = estimateRecordSize(record),
  ): Promise<RecordMetadata> {
    if (this.closing) return Promise.reject(new ClientError('ERR_CLIENT_CLOSED', 'the producer is closing'));
    if (this.usedBytes + size <= this.o.bufferMemory && this.waiters.length === 0) {
      this.usedBytes += size;
      return this.appendReserved(topic, partition, record, size);
    }
    if (size > this.o.bufferMemory) {
      return Promise.reject(
        new ClientError(
          'ERR_CLIENT_RECORD_TOO_LARGE',
          `record of ~${size} bytes exceeds buffer.memory (${this.o.bufferMemory})`,
        ),
      );
    }
    return this.reserve(size).then(() => this.appendReserved(topic, partition, record, size));
  }

  private reserve(bytes: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.findIndex((w) => w.timer === timer);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(
          new ClientError(
            'ERR_CLIENT_BUFFER_FULL',
            `buffer.memory (${this.o.bufferMemory} bytes) stayed full for max.block.ms (${this.o.maxBlockMs} ms)`,
            { retriable: true },
          ),
        );
        this.wakeWaiters();
      }, this.o.maxBlockMs);
      this.waiters.push({ bytes, resolve, reject, timer });
    });
  }

  private wakeWaiters(): void {
    while (this.waiters.length > 0) {
      const w = this.waiters[0]!;
      if (this.usedBytes + w.bytes > this.o.bufferMemory && this.usedBytes > 0) return;
      this.waiters.shift();
      clearTimeout(w.timer);
      this.usedBytes += w.bytes;
      w.resolve();
    }
  }

  private appendReserved(topic: string, partition: number, record: RecordInput, size: number): Promise<RecordMetadata> {
    const k = key(topic, partition);
    let q = this.queues.get(k);
    if (!q) {
      q = [];
      this.queues.set(k, q);
    }
    let batch = q[q.length - 1];
    const now = Date.now();
    if (
      batch === undefined ||
      batch.closed ||
      batch.attempts > 0 ||
      (batch.records.length > 0 && batch.sizeBytes + size > this.o.batchSize)
    ) {
      if (batch && !batch.closed) batch.closed = true;
      batch = new ProducerBatch(topic, partition, now, now + this.o.deliveryTimeoutMs);
      batch.sizeBytes = BATCH_OVERHEAD;
      q.push(batch);
    }
    batch.sizeBytes += size;
    batch.records.push(record);
    const p = new Promise<RecordMetadata>((resolve, reject) => batch.deliveries.push({ resolve, reject }));
    if (batch.sizeBytes >= this.o.batchSize || q.length > 1 || this.o.lingerMs <= 0 || this.flushing > 0)
      this.onReady();
    else this.scheduleLinger(batch.createdAt + this.o.lingerMs);
    return p;
  }

  private scheduleLinger(at: number): void {
    if (at >= this.lingerAt) return;
    clearTimeout(this.lingerTimer);
    this.lingerAt = at;
    this.lingerTimer = setTimeout(
      () => {
        this.lingerAt = Infinity;
        this.onReady();
      },
      Math.max(0, at - Date.now()),
    );
  }

  /** Releases a batch's bytes (sent and acknowledged, or failed for good). */
  release(batch: ProducerBatch): void {
    this.usedBytes -= batch.sizeBytes - BATCH_OVERHEAD;
    this.wakeWaiters();
  }

  /**
   * Takes the ready head batch of each partition accepted by `accept` (the sender's in-flight
   * and leader checks). Returns the batches and the earliest time a not-yet-ready batch becomes
   * ready (for the next wake-up).
   */
  drain(
    now: number,
    accept: (topic: string, partition: number) => boolean,
  ): { batches: ProducerBatch[]; nextReadyAt: number } {
    const batches: ProducerBatch[] = [];
    let nextReadyAt = Infinity;
    for (const [k, q] of this.queues) {
      const head = q[0];
      if (head === undefined) {
        this.queues.delete(k);
        continue;
      }
      if (head.retryAt > now) {
        nextReadyAt = Math.min(nextReadyAt, head.retryAt);
        continue;
      }
      const full = head.closed || head.sizeBytes >= this.o.batchSize || q.length > 1;
      const readyAt = head.createdAt + this.o.lingerMs;
      const ready = full || head.attempts > 0 || readyAt <= now || this.flushing > 0 || this.closing;
      if (!ready) {
        nextReadyAt = Math.min(nextReadyAt, readyAt);
        continue;
      }
      if (!accept(head.topic, head.partition)) continue;
      head.closed = true;
      q.shift();
      batches.push(head);
    }
    if (nextReadyAt !== Infinity) this.scheduleLinger(nextReadyAt);
    return { batches, nextReadyAt };
  }

  /** Puts a batch back for a retry, before any younger batch of its partition. */
  reenqueue(batch: ProducerBatch): void {
    const k = key(batch.topic, batch.partition);
    let q = this.queues.get(k);
    if (!q) {
      q = [];
      this.queues.set(k, q);
    }
    let i = 0;
    while (i < q.length && q[i]!.id < batch.id) i++;
    q.splice(i, 0, batch);
  }

  /** Whether a batch of the same partition created before `batch` is queued (awaiting a retry). */
  hasEarlierQueued(batch: ProducerBatch): boolean {
    const q = this.queues.get(key(batch.topic, batch.partition));
    return q?.some((b) => b.id < batch.id) === true;
  }

  /** Visits every queued (not in flight) batch. */
  forEachQueued(f: (b: ProducerBatch) => void): void {
    for (const q of this.queues.values()) for (const b of q) f(b);
  }

  /** Batches (queued, not in flight) whose delivery.timeout.ms passed; removed from the queues. */
  expire(now: number): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (const q of this.queues.values()) {
      while (q.length > 0 && q[0]!.deadline <= now) out.push(q.shift()!);
    }
    return out;
  }

  hasPending(): boolean {
    for (const q of this.queues.values()) if (q.length > 0) return true;
    return false;
  }

  beginFlush(): void {
    this.flushing++;
    this.onReady();
  }

  endFlush(): void {
    this.flushing--;
  }

  /** Fails every queued batch (close with a timeout, fatal errors). */
  abortAll(err: unknown): void {
    for (const q of this.queues.values()) {
      for (const b of q.splice(0)) {
        b.fail(err);
        this.release(b);
      }
    }
    clearTimeout(this.lingerTimer);
  }

  stop(): void {
    clearTimeout(this.lingerTimer);
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new ClientError('ERR_CLIENT_CLOSED', 'the producer closed'));
    }
  }
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
