/**
 * Sender: moves ready batches from the accumulator to partition leaders.
 *
 * One pass (scheduled with setImmediate whenever the accumulator signals, so bursts coalesce)
 * drains at most the head batch of every partition whose leader is known and whose connection
 * has fewer than max.in.flight.requests.per.connection requests outstanding, groups them into one
 * Produce request per leader, and sends them pipelined.
 *
 * Outcomes per batch: success completes every record's promise; a retriable error (stale leader,
 * timeout, closed connection) puts the batch back in order after retry.backoff.ms unless
 * delivery.timeout.ms has passed or `retries` is used up; anything else fails the batch's
 * records with a KafkaError naming the partition.
 *
 * Idempotence: a batch takes its base sequence the first time it is drained and keeps it (and its
 * encoded bytes) across retries, so the broker can drop a retried batch it already wrote.
 * OUT_OF_ORDER_SEQUENCE_NUMBER on a batch whose predecessor is being retried is expected (the
 * broker refused it because the earlier one is missing) and is retried too.
 */
import { ApiKeys, type ProduceResponse } from '../../protocol/messages/index.js';
import type { CompressionType } from '../../protocol/records/batch-header.js';
import { encodeRecordBatch } from '../../protocol/records/encode.js';
import { ClientError, KafkaError, isRetriable, needsMetadataRefresh } from '../errors.js';
import type { Cluster } from '../net/cluster.js';
import { backoffMs } from '../net/retry.js';
import type { ProducerBatch, RecordAccumulator } from './accumulator.js';
import { pushTo } from '../collections.js';

export interface SenderOptions {
  acks: number;
  compression: CompressionType;
  requestTimeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  maxInFlightPerConnection: number;
  maxRequestSize: number;
}

export interface ProducerIdentity {
  producerId: bigint;
  producerEpoch: number;
}

const OUT_OF_ORDER_SEQUENCE = 45;
const MESSAGE_TOO_LARGE = 10;
const RECORD_LIST_TOO_LARGE = 18;
const DUPLICATE_SEQUENCE = 46;
const MAX_SEQUENCE = 0x7fffffff;

export class Sender {
  private scheduled = false;
  private readonly inFlightByNode = new Map<number, number>();
  private inFlightBatches = 0;
  private readonly nextSequence = new Map<string, number>();
  private idleWaiters: Array<() => void> = [];
  private expiryTimer: NodeJS.Timeout | undefined;
  private refreshing = false;
  identity: ProducerIdentity | null = null;
  private resetPending = false;
  private resetting = false;
  /** Stats for users and tests. */
  readonly stats = { requests: 0, batches: 0, records: 0, retries: 0, bytes: 0 };

  constructor(
    private readonly cluster: Cluster,
    private readonly acc: RecordAccumulator,
    private readonly o: SenderOptions,
    /** Asks the cluster for a fresh producer id (InitProducerId). */
    private readonly newIdentity: () => Promise<ProducerIdentity> = () =>
      Promise.reject(new Error('no producer id source')),
  ) {
    acc.onReady = () => this.wake();
  }

  wake(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.run();
    });
  }

  /** Resolves when nothing is queued or in flight. */
  whenIdle(): Promise<void> {
    if (!this.acc.hasPending() && this.inFlightBatches === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private checkIdle(): void {
    if (this.idleWaiters.length > 0 && !this.acc.hasPending() && this.inFlightBatches === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private run(): void {
    const now = Date.now();
    for (const b of this.acc.expire(now))
      this.failBatch(
        b,
        new ClientError(
          'ERR_CLIENT_DELIVERY_TIMEOUT',
          `${b.records.length} record(s) for ${b.topic}-${b.partition} expired: delivery.timeout.ms passed before the broker acknowledged them`,
        ),
      );
    if (this.resetPending) {
      this.maybeResetIdentity();
      this.scheduleExpiry();
      this.checkIdle();
      return;
    }
    // Drain repeatedly: each round takes the head batch of every partition, so several batches
    // of one partition go out pipelined (up to max.in.flight per connection) in one pass.
    while (this.drainOnce(now) > 0) {}
    this.scheduleExpiry();
    this.checkIdle();
  }

  /** One drain round: at most one request per leader. Returns the number of batches sent. */
  private drainOnce(now: number): number {
    const metadata = this.cluster.metadata;
    let missingLeader = false;
    const planned = new Map<number, number>();
    const { batches } = this.acc.drain(now, (topic, partition) => {
      const p = metadata.partition(topic, partition);
      if (p === undefined || p.leader < 0 || !metadata.brokers.has(p.leader)) {
        missingLeader = true;
        return false;
      }
      const inFlight = (this.inFlightByNode.get(p.leader) ?? 0) + (planned.has(p.leader) ? 1 : 0);
      if (inFlight >= this.o.maxInFlightPerConnection) return false;
      planned.set(p.leader, 1);
      return true;
    });
    if (missingLeader) this.refreshMetadata();
    const byLeader = new Map<number, ProducerBatch[]>();
    for (const b of batches) {
      const leader = metadata.partition(b.topic, b.partition)!.leader;
      pushTo(byLeader, leader, b);
    }
    for (const [leader, list] of byLeader) {
      // Stay under max.request.size: spill batches into further requests to the same leader.
      let chunk: ProducerBatch[] = [];
      let bytes = 0;
      for (const b of list) {
        const enc = this.encode(b);
        if (chunk.length > 0 && bytes + enc.length > this.o.maxRequestSize) {
          this.send(leader, chunk);
          chunk = [];
          bytes = 0;
        }
        chunk.push(b);
        bytes += enc.length;
      }
      if (chunk.length > 0) this.send(leader, chunk);
    }
    return batches.length;
  }

  private scheduleExpiry(): void {
    if (this.expiryTimer || !this.acc.hasPending()) return;
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      this.run();
    }, 1000);
    this.expiryTimer.unref();
  }

  private refreshMetadata(): void {
    if (this.refreshing) return;
    this.refreshing = true;
    this.cluster.markStale();
    this.cluster
      .refreshMetadata()
      .catch(() => {})
      .finally(() => {
        this.refreshing = false;
        setTimeout(() => this.wake(), this.o.retryBackoffMs).unref();
      });
  }

  private encode(b: ProducerBatch): Buffer {
    if (b.encoded) return b.encoded;
    if (this.identity && b.baseSequence < 0) {
      const k = `${b.topic}\u0000${b.partition}`;
      const seq = this.nextSequence.get(k) ?? 0;
      b.baseSequence = seq;
      b.producerId = this.identity.producerId;
      b.producerEpoch = this.identity.producerEpoch;
      this.nextSequence.set(k, (seq + b.records.length) & MAX_SEQUENCE);
    }
    b.encoded = encodeRecordBatch({
      records: b.records,
      compression: this.o.compression,
      producerId: b.producerId,
      producerEpoch: b.producerEpoch,
      baseSequence: b.baseSequence,
    });
    return b.encoded;
  }

  private send(leader: number, batches: ProducerBatch[]): void {
    this.inFlightByNode.set(leader, (this.inFlightByNode.get(leader) ?? 0) + 1);
    this.inFlightBatches += batches.length;
    this.stats.requests++;
    const topics = new Map<string, ProducerBatch[]>();
    for (const b of batches) {
      b.attempts++;
      this.stats.bytes += b.encoded!.length;
      pushTo(topics, b.topic, b);
    }
    const body = {
      transactionalId: null,
      acks: this.o.acks,
      timeoutMs: this.o.requestTimeoutMs,
      topicData: [...topics].map(([name, list]) => ({
        name,
        partitionData: list.map((b) => ({ index: b.partition, records: b.encoded! })),
      })),
    };
    const done = () => {
      this.inFlightByNode.set(leader, this.inFlightByNode.get(leader)! - 1);
      this.inFlightBatches -= batches.length;
      this.wake();
      this.checkIdle();
    };
    const options = { expectResponse: this.o.acks !== 0, timeoutMs: this.o.requestTimeoutMs };
    // write in this tick when connected (a promise hop would queue it behind the rest of the pass)
    const live = this.cluster.connectedBroker(leader);
    const sent = live
      ? live.request<ProduceResponse>(ApiKeys.Produce, body, options)
      : this.cluster.broker(leader).then((conn) => conn.request<ProduceResponse>(ApiKeys.Produce, body, options));
    sent.then(
      (res) => {
        if (this.o.acks === 0 || res === undefined) {
          for (const b of batches) this.succeed(b, -1, -1);
        } else this.handleResponse(res, batches);
        done();
      },
      (err) => {
        for (const b of batches) this.retryOrFail(b, err);
        done();
      },
    );
  }

  private handleResponse(res: ProduceResponse, batches: ProducerBatch[]): void {
    const byKey = new Map(batches.map((b) => [`${b.topic}\u0000${b.partition}`, b]));
    for (const t of res.responses) {
      for (const p of t.partitionResponses) {
        const b = byKey.get(`${t.name}\u0000${p.index}`);
        if (!b) continue;
        byKey.delete(`${t.name}\u0000${p.index}`);
        if (p.errorCode === 0 || p.errorCode === DUPLICATE_SEQUENCE) {
          this.succeed(b, Number(p.baseOffset), Number(p.logAppendTimeMs));
          continue;
        }
        const err = new KafkaError(p.errorCode, {
          topic: b.topic,
          partition: b.partition,
          api: 'Produce',
          serverMessage: p.errorMessage,
        });
        if ((p.errorCode === MESSAGE_TOO_LARGE || p.errorCode === RECORD_LIST_TOO_LARGE) && b.records.length > 1) {
          this.splitAndRetry(b);
          continue;
        }
        if (p.errorCode === OUT_OF_ORDER_SEQUENCE && this.acc.hasEarlierQueued(b)) {
          this.retryOrFail(b, err, true);
          continue;
        }
        this.retryOrFail(b, err);
      }
    }
    for (const b of byKey.values())
      this.retryOrFail(
        b,
        new ClientError('ERR_CLIENT_PROTOCOL', `Produce response omitted ${b.topic}-${b.partition}`, {
          retriable: true,
        }),
      );
  }

  /**
   * A batch the broker finds too large goes back as two halves (Java does the same). Their
   * sequence numbers must be new, and batches after them may already carry later ones: with
   * idempotence the producer takes a new producer id before sending again.
   */
  private splitAndRetry(b: ProducerBatch): void {
    const [first, second] = b.split();
    this.stats.retries++;
    if (this.identity && b.baseSequence >= 0) this.resetPending = true;
    this.acc.reenqueue(first);
    this.acc.reenqueue(second);
  }

  private succeed(b: ProducerBatch, baseOffset: number, logAppendTime: number): void {
    this.stats.batches++;
    this.stats.records += b.records.length;
    b.complete(baseOffset, logAppendTime);
    this.acc.release(b);
  }

  private retryOrFail(b: ProducerBatch, err: unknown, forceRetriable = false): void {
    const now = Date.now();
    if ((forceRetriable || isRetriable(err)) && b.attempts <= this.o.retries && now < b.deadline) {
      if (needsMetadataRefresh(err)) this.refreshMetadata();
      this.stats.retries++;
      b.retryAt = now + backoffMs(b.attempts - 1, this.o.retryBackoffMs, this.o.retryBackoffMaxMs);
      this.acc.reenqueue(b);
      setTimeout(() => this.wake(), b.retryAt - now).unref();
      return;
    }
    const final =
      now >= b.deadline && isRetriable(err)
        ? new ClientError(
            'ERR_CLIENT_DELIVERY_TIMEOUT',
            `${b.records.length} record(s) for ${b.topic}-${b.partition} not acknowledged within delivery.timeout.ms`,
            { cause: err },
          )
        : err;
    this.failBatch(b, final);
  }

  private failBatch(b: ProducerBatch, err: unknown): void {
    b.fail(err);
    this.acc.release(b);
    // A batch that took a sequence number and will never be written leaves a gap the broker
    // would answer with OUT_OF_ORDER_SEQUENCE_NUMBER forever: start over with a new producer id.
    if (this.identity && b.baseSequence >= 0) this.resetPending = true;
  }

  /**
   * Replaces the producer id once nothing is in flight (KIP-360's "reset the producer id" for
   * idempotent producers): sequences restart at 0 and queued batches are re-stamped on drain.
   */
  private maybeResetIdentity(): void {
    if (this.resetting || this.inFlightBatches > 0) return;
    this.resetting = true;
    this.newIdentity()
      .then(
        (identity) => {
          this.identity = identity;
          this.nextSequence.clear();
          this.acc.forEachQueued((b) => {
            b.encoded = undefined;
            b.baseSequence = -1;
            b.producerId = -1n;
            b.producerEpoch = -1;
          });
          this.resetPending = false;
        },
        (err) => this.cluster.logger.warn({ err }, 'could not get a new producer id; retrying'),
      )
      .finally(() => {
        this.resetting = false;
        setTimeout(() => this.wake(), this.resetPending ? this.o.retryBackoffMs : 0).unref();
      });
  }

  stop(): void {
    clearTimeout(this.expiryTimer);
  }
}
