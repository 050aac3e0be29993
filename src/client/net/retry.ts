/**
 * Backoff and retry. Exponential backoff with ±20% jitter (Kafka's reconnect.backoff and
 * retry.backoff behave the same way) so that many clients losing one broker do not come back in
 * lockstep. A retry loop stops at the first non-retriable error, or when the deadline passes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientError, isRetriable } from '../errors.js';

export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.max(0, Math.round(exp * (0.8 + Math.random() * 0.4)));
}

export interface RetryOptions {
  retries: number;
  baseMs: number;
  maxMs: number;
  /** Absolute Date.now() deadline; no attempt starts after it. */
  deadline?: number;
  signal?: AbortSignal;
  /** Called before each retry (e.g. to refresh metadata). */
  onRetry?: (err: unknown, attempt: number) => void | Promise<void>;
}

export async function withRetries<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isRetriable(err) || attempt >= o.retries) throw err;
      const wait = backoffMs(attempt, o.baseMs, o.maxMs);
      if (o.deadline !== undefined && Date.now() + wait > o.deadline) throw err;
      if (o.signal?.aborted) throw new ClientError('ERR_CLIENT_ABORTED', 'aborted', { cause: err });
      await o.onRetry?.(err, attempt);
      await sleep(wait, undefined, o.signal ? { signal: o.signal } : undefined).catch(() => {
        throw new ClientError('ERR_CLIENT_ABORTED', 'aborted', { cause: err });
      });
    }
  }
}
