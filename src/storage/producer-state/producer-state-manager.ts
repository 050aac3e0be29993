/**
 * ProducerStateManager: one partition's idempotent-producer state, as Kafka's class of that name.
 * Per producer id it keeps the current producer epoch and the sequence/offset ranges of the last
 * five batches appended (the most a producer keeps in flight), so that a retried batch is
 * recognised and answered with its original offsets instead of being appended twice.
 *
 * Rules (Kafka's ProducerAppendInfo for AppendOrigin.CLIENT, 2.5+ semantics):
 *  - epoch below the last seen epoch -> InvalidProducerEpochError;
 *  - new epoch: the first sequence must be 0 (unless nothing is known about the producer);
 *  - same epoch: the first sequence must follow the last one (wrapping at 2^31-1);
 *  - no state for the producer (never seen, or its batches were removed by retention or
 *    DeleteRecords, or lost with the tail of the log): any sequence is accepted — Kafka stopped
 *    answering UNKNOWN_PRODUCER_ID in 2.5 (KIP-360) and so do we.
 * Replicated appends (follower, recovery replay) update the state without these checks.
 *
 * State is derived from the log: it is rebuilt on open by replaying batch headers after the latest
 * snapshot (see producer-state-loader.ts), and after truncation.
 * Concurrency: owned by its log; called only from the log's append path (one group at a time) and
 * its structural operations, never concurrently.
 */
import { InvalidProducerEpochError, OutOfOrderSequenceError } from '../errors.js';

/** How many batches per producer are remembered for duplicate detection (Kafka: 5). */
export const NUM_BATCHES_TO_RETAIN = 5;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
const INT32_MAX = 0x7fffffff;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  /** maxTimestamp of the batch as stored. */
  timestamp: number;
}

export interface ProducerStateEntry {
  producerId: number;
  producerEpoch: number;
  /** Oldest first; at most NUM_BATCHES_TO_RETAIN. */
  batches: BatchMetadata[];
  lastTimestamp: number;
  coordinatorEpoch: number;
}

/** The header fields of one batch that producer state looks at (no record decoding). */
export interface ProducerBatch {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** lastOffset - baseOffset. */
  lastOffsetDelta: number;
  maxTimestamp: number;
}

/** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from 2^31-1 to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  return sequence > INT32_MAX - increment ? increment - (INT32_MAX - sequence) - 1 : sequence + increment;
}

export function decrementSequence(sequence: number, decrement: number): number {
  return sequence < decrement ? INT32_MAX - (decrement - sequence) + 1 : sequence - decrement;
}

const inSequence = (lastSeq: number, nextSeq: number): boolean => nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);

export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerStateEntry>();
  /** The log offset up to which this state reflects the log (exclusive). */
  mapEndOffset = 0;

  constructor(readonly partitionName: string) {}

  get size(): number {
    return this.producers.size;
  }

  entries(): IterableIterator<ProducerStateEntry> {
    return this.producers.values();
  }

  lastEntry(producerId: number): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  /**
   * A client batch that repeats one of the producer's last five batches exactly (same epoch, same
   * first and last sequence): returns the original's metadata, else undefined.
   */
  findDuplicate(b: ProducerBatch): BatchMetadata | undefined {
    if (b.producerId < 0) return undefined;
    const e = this.producers.get(b.producerId);
    if (e === undefined || e.producerEpoch !== b.producerEpoch) return undefined;
    const lastSeq = incrementSequence(b.baseSequence, b.lastOffsetDelta);
    return e.batches.find((m) => m.firstSeq === b.baseSequence && m.lastSeq === lastSeq);
  }

  /**
   * Checks client batches (in append order) against the state, as if each earlier one had been
   * appended. Throws OutOfOrderSequenceError / InvalidProducerEpochError; changes nothing.
   */
  validateClientBatches(batches: readonly ProducerBatch[], firstOffset: number): void {
    // Per producer: (epoch, lastSeq, known) after the batches of this append seen so far.
    const pending = new Map<number, { epoch: number; lastSeq: number }>();
    let offset = firstOffset;
    for (const b of batches) {
      const at = offset;
      offset += b.lastOffsetDelta + 1;
      if (b.producerId < 0) continue;
      const current = this.producers.get(b.producerId);
      const currentEpoch = current?.producerEpoch ?? NO_PRODUCER_EPOCH;
      const p = pending.get(b.producerId) ?? { epoch: currentEpoch, lastSeq: current?.batches.at(-1)?.lastSeq ?? NO_SEQUENCE };
      const where = `producer ${b.producerId} at offset ${at} in ${this.partitionName}`;
      if (b.producerEpoch < p.epoch) {
        throw new InvalidProducerEpochError(`epoch of ${where} is ${b.producerEpoch}, which is smaller than the last seen epoch ${p.epoch}`);
      }
      if (b.producerEpoch !== p.epoch) {
        if (b.baseSequence !== 0 && p.epoch !== NO_PRODUCER_EPOCH) {
          throw new OutOfOrderSequenceError(`invalid sequence number for new epoch ${b.producerEpoch} of ${where}: ${b.baseSequence} (expected 0)`);
        }
      } else if (currentEpoch !== NO_PRODUCER_EPOCH && !inSequence(p.lastSeq, b.baseSequence)) {
        throw new OutOfOrderSequenceError(`out of order sequence number for ${where}: ${b.baseSequence} (incoming), ${p.lastSeq} (current end sequence)`);
      }
      pending.set(b.producerId, { epoch: b.producerEpoch, lastSeq: incrementSequence(b.baseSequence, b.lastOffsetDelta) });
    }
  }

  /** Records an appended batch (leader, follower or replay). A new epoch forgets older batches. */
  update(b: ProducerBatch, firstOffset: number): void {
    const lastOffset = firstOffset + b.lastOffsetDelta;
    if (lastOffset + 1 > this.mapEndOffset) this.mapEndOffset = lastOffset + 1;
    if (b.producerId < 0) return;
    let e = this.producers.get(b.producerId);
    if (e === undefined) {
      e = { producerId: b.producerId, producerEpoch: b.producerEpoch, batches: [], lastTimestamp: -1, coordinatorEpoch: -1 };
      this.producers.set(b.producerId, e);
    }
    if (e.producerEpoch !== b.producerEpoch) {
      e.producerEpoch = b.producerEpoch;
      e.batches = [];
    }
    // Batches without sequences (-1; e.g. transactional markers) move the epoch only.
    if (b.baseSequence >= 0) {
      if (e.batches.length === NUM_BATCHES_TO_RETAIN) e.batches.shift();
      e.batches.push({
        firstSeq: b.baseSequence,
        lastSeq: incrementSequence(b.baseSequence, b.lastOffsetDelta),
        firstOffset,
        lastOffset,
        timestamp: b.maxTimestamp,
      });
    }
    e.lastTimestamp = b.maxTimestamp;
  }

  /** Restores one producer from a snapshot entry (its last batch only, as Kafka's snapshots hold). */
  restore(entry: ProducerStateEntry): void {
    this.producers.set(entry.producerId, { ...entry, batches: entry.batches.slice(-NUM_BATCHES_TO_RETAIN) });
  }

  /**
   * Log start moved (retention, DeleteRecords): producers whose last batch is now below it are
   * forgotten, as Kafka's truncateHead does; their next batch is accepted with any sequence.
   */
  truncateHead(logStartOffset: number): void {
    for (const [id, e] of this.producers) {
      if ((e.batches.at(-1)?.lastOffset ?? -1) < logStartOffset) this.producers.delete(id);
    }
    if (this.mapEndOffset < logStartOffset) this.mapEndOffset = logStartOffset;
  }

  clear(offset = 0): void {
    this.producers.clear();
    this.mapEndOffset = offset;
  }
}
