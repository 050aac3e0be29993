/**
 * Latency percentiles with HdrHistogram (3 significant digits, values kept in microseconds so
 * sub-millisecond latencies keep their resolution), reported in milliseconds.
 */
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export class LatencyHistogram {
  private readonly h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });

  recordMs(ms: number, count = 1): void {
    this.h.recordValueWithCount(Math.max(1, Math.round(ms * 1000)), count);
  }

  get count(): number {
    return this.h.totalCount;
  }

  summary(): LatencySummary {
    const ms = (us: number) => +(us / 1000).toFixed(3);
    return {
      count: this.h.totalCount,
      meanMs: ms(this.h.mean),
      p50Ms: ms(this.h.getValueAtPercentile(50)),
      p90Ms: ms(this.h.getValueAtPercentile(90)),
      p99Ms: ms(this.h.getValueAtPercentile(99)),
      p999Ms: ms(this.h.getValueAtPercentile(99.9)),
      maxMs: ms(this.h.maxValue),
    };
  }
}

/** Median of a small sample (repeated runs of a whole measurement). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!;
}
