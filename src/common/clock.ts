/**
 * Time goes through a Clock so that timeouts, long polls, idle reaping and retention can be driven
 * deterministically in tests. `SystemClock` is the real one; `ManualClock` only moves when told to.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Wall-clock milliseconds since the epoch (record timestamps, retention). */
  now(): number;
  /** Monotonic milliseconds (durations, deadlines); never jumps backwards. */
  monotonic(): number;
  /** Runs `fn` once after `delayMs`. The returned handle cancels it; cancelling twice is harmless. */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  /** Runs `fn` every `intervalMs` until cancelled. */
  setInterval(fn: () => void, intervalMs: number): TimerHandle;
}

class SystemClockImpl implements Clock {
  now(): number {
    return Date.now();
  }
  monotonic(): number {
    return performance.now();
  }
  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const t = setTimeout(fn, Math.max(0, delayMs));
    // A pending timer alone must not keep a process (or a test) alive after close().
    t.unref();
    return { cancel: () => clearTimeout(t) };
  }
  setInterval(fn: () => void, intervalMs: number): TimerHandle {
    const t = setInterval(fn, Math.max(1, intervalMs));
    t.unref();
    return { cancel: () => clearInterval(t) };
  }
}

export const systemClock: Clock = new SystemClockImpl();

interface ManualTimer {
  id: number;
  due: number;
  fn: () => void;
  intervalMs: number | undefined;
  cancelled: boolean;
}

/**
 * A clock that stands still until `advance()`. Timers fire in due order (ties in creation order)
 * during `advance`, with `now()` set to each timer's due time as it fires, so a callback that
 * schedules another timer inside the advanced window sees it fire in the same call.
 * Single-threaded by construction; not re-entrant (advancing from inside a timer throws).
 */
export class ManualClock implements Clock {
  private wall: number;
  private mono = 0;
  private nextId = 1;
  private timers: ManualTimer[] = [];
  private advancing = false;

  constructor(startMs = 1_700_000_000_000) {
    this.wall = startMs;
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  /** Number of live timers; lets a test assert that something is (or is no longer) waiting. */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    return this.add(fn, Math.max(0, delayMs), undefined);
  }

  setInterval(fn: () => void, intervalMs: number): TimerHandle {
    return this.add(fn, Math.max(1, intervalMs), Math.max(1, intervalMs));
  }

  private add(fn: () => void, delayMs: number, intervalMs: number | undefined): TimerHandle {
    const timer: ManualTimer = { id: this.nextId++, due: this.mono + delayMs, fn, intervalMs, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('cannot advance a clock backwards');
    if (this.advancing) throw new Error('ManualClock.advance is not re-entrant');
    this.advancing = true;
    const target = this.mono + ms;
    try {
      for (;;) {
        this.timers = this.timers.filter((t) => !t.cancelled);
        let next: ManualTimer | undefined;
        for (const t of this.timers) {
          if (t.due <= target && (next === undefined || t.due < next.due || (t.due === next.due && t.id < next.id))) {
            next = t;
          }
        }
        if (next === undefined) break;
        this.wall += next.due - this.mono;
        this.mono = next.due;
        if (next.intervalMs === undefined) next.cancelled = true;
        else next.due += next.intervalMs;
        next.fn();
      }
      this.wall += target - this.mono;
      this.mono = target;
    } finally {
      this.advancing = false;
    }
  }

  /** Sets the wall clock without moving monotonic time (a clock step, as NTP does). */
  setWallTime(ms: number): void {
    this.wall = ms;
  }
}
