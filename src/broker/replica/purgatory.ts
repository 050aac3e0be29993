/**
 * Purgatory: requests that cannot be answered yet (Produce acks=all waiting for the high watermark,
 * Fetch waiting for min.bytes) wait here, watched under keys ("topic-partition"), until an event on
 * a key lets them complete or their timeout expires. Kafka's DelayedOperationPurgatory, minus the
 * locking: everything runs on the event loop, so a check-then-complete cannot race.
 *
 * Contract: an operation completes exactly once — by tryComplete() returning true (from the first
 * check, or from checkAndComplete on a watched key), by expiry, or by shutdown (forceCompleteAll).
 */
import type { Clock, TimerHandle } from '../../common/clock.js';

export abstract class DelayedOperation {
  private completed = false;
  private timer: TimerHandle | undefined;
  /** Keys this operation is watched under (set by the purgatory). */
  keys: string[] = [];

  constructor(readonly delayMs: number) {}

  get isCompleted(): boolean {
    return this.completed;
  }

  /** Returns true if the operation can complete now (and then has called forceComplete). */
  abstract tryComplete(): boolean;
  /** Builds and delivers the response. Called exactly once. */
  protected abstract onComplete(): void;
  /** Called before onComplete when the operation times out. */
  protected onExpiration(): void {}

  /** Completes now if not already completed; returns whether this call completed it. */
  forceComplete(): boolean {
    if (this.completed) return false;
    this.completed = true;
    this.timer?.cancel();
    this.onComplete();
    return true;
  }

  /** @internal */
  arm(clock: Clock, onExpire: () => void): void {
    this.timer = clock.setTimeout(() => {
      if (this.completed) return;
      this.onExpiration();
      this.forceComplete();
      onExpire();
    }, this.delayMs);
  }
}

export class Purgatory<T extends DelayedOperation = DelayedOperation> {
  private readonly watchers = new Map<string, Set<T>>();

  constructor(
    readonly name: string,
    private readonly clock: Clock,
  ) {}

  /** Number of operations waiting (for tests and metrics). */
  get watched(): number {
    const all = new Set<T>();
    for (const s of this.watchers.values()) for (const op of s) all.add(op);
    return all.size;
  }

  /**
   * Completes `op` now if it can; otherwise watches it under `keys` until an event or its timeout.
   * Returns true if it completed immediately.
   */
  tryCompleteElseWatch(op: T, keys: string[]): boolean {
    if (op.tryComplete()) return true;
    op.keys = keys;
    for (const k of keys) {
      let s = this.watchers.get(k);
      if (s === undefined) {
        s = new Set();
        this.watchers.set(k, s);
      }
      s.add(op);
    }
    op.arm(this.clock, () => this.unwatch(op));
    return false;
  }

  /** Something changed under `key` (data appended, high watermark moved): retry its operations. */
  checkAndComplete(key: string): number {
    const s = this.watchers.get(key);
    if (s === undefined) return 0;
    let n = 0;
    for (const op of [...s]) {
      if (op.isCompleted || op.tryComplete()) {
        this.unwatch(op);
        n++;
      }
    }
    return n;
  }

  private unwatch(op: T): void {
    for (const k of op.keys) {
      const s = this.watchers.get(k);
      if (s === undefined) continue;
      s.delete(op);
      if (s.size === 0) this.watchers.delete(k);
    }
  }

  /** Completes every waiting operation (shutdown); each answers with what it has. */
  forceCompleteAll(): void {
    const all = new Set<T>();
    for (const s of this.watchers.values()) for (const op of s) all.add(op);
    this.watchers.clear();
    for (const op of all) op.forceComplete();
  }
}
