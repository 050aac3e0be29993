/**
 * Measurements for `vltava perf`: counts, bytes and latency the way Kafka's perf tools measure
 * them, so numbers can be compared with kafka-producer-perf-test. Latency is from send() to the
 * acknowledgement (buffer wait included, as in Kafka). avg and max see every record; percentiles
 * come from a uniform sample of at most 500,000 latencies sorted at the end — Kafka's method,
 * exact for runs up to that size and without a histogram dependency at run time.
 */
const MAX_SAMPLES = 500_000;

export interface LatencySummary {
  avg: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export interface PerfSummary {
  records: number;
  bytes: number;
  errors: number;
  elapsedMs: number;
  recordsPerSec: number;
  mbPerSec: number;
  latencyMs?: LatencySummary;
}

export class PerfStats {
  records = 0;
  bytes = 0;
  errors = 0;
  private latencySum = 0;
  private latencyMax = 0;
  private readonly samples: Float64Array;
  private sampled = 0;
  private readonly sampleEvery: number;
  private readonly start = performance.now();
  private windowStart = this.start;
  private windowRecords = 0;
  private windowBytes = 0;
  private windowLatencySum = 0;
  private windowLatencyMax = 0;

  constructor(expectedRecords: number) {
    this.sampleEvery = Math.max(1, Math.ceil(expectedRecords / MAX_SAMPLES));
    this.samples = new Float64Array(Math.min(MAX_SAMPLES, Math.max(1, Math.ceil(expectedRecords / this.sampleEvery))));
  }

  record(bytes: number, latencyMs?: number): void {
    const n = this.records++;
    this.bytes += bytes;
    this.windowRecords++;
    this.windowBytes += bytes;
    if (latencyMs === undefined) return;
    this.latencySum += latencyMs;
    this.windowLatencySum += latencyMs;
    if (latencyMs > this.latencyMax) this.latencyMax = latencyMs;
    if (latencyMs > this.windowLatencyMax) this.windowLatencyMax = latencyMs;
    if (n % this.sampleEvery === 0 && this.sampled < this.samples.length) this.samples[this.sampled++] = latencyMs;
  }

  /** The current window ("N records/s, X MB/s, avg/max latency") for the live progress line; resets it. */
  window(total: number): string {
    const now = performance.now();
    const secs = Math.max(1e-9, (now - this.windowStart) / 1000);
    const withLatency =
      this.windowLatencySum > 0
        ? `, ${(this.windowLatencySum / Math.max(1, this.windowRecords)).toFixed(1)} ms avg latency, ${this.windowLatencyMax.toFixed(1)} ms max`
        : '';
    const s = `${this.records}/${total} records, ${(this.windowRecords / secs).toFixed(1)} records/sec (${(this.windowBytes / secs / 1024 / 1024).toFixed(2)} MB/sec)${withLatency}`;
    this.windowStart = now;
    this.windowRecords = 0;
    this.windowBytes = 0;
    this.windowLatencySum = 0;
    this.windowLatencyMax = 0;
    return s;
  }

  summary(withLatency: boolean, elapsedMs = performance.now() - this.start): PerfSummary {
    const secs = Math.max(1e-9, elapsedMs / 1000);
    const out: PerfSummary = {
      records: this.records,
      bytes: this.bytes,
      errors: this.errors,
      elapsedMs: round(elapsedMs),
      recordsPerSec: round(this.records / secs),
      mbPerSec: round(this.bytes / secs / 1024 / 1024),
    };
    if (withLatency) {
      const sorted = this.samples.subarray(0, this.sampled).sort();
      const pct = (p: number) =>
        sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
      out.latencyMs = {
        avg: round(this.records > 0 ? this.latencySum / this.records : 0),
        p50: round(pct(0.5)),
        p95: round(pct(0.95)),
        p99: round(pct(0.99)),
        p999: round(pct(0.999)),
        max: round(this.latencyMax),
      };
    }
    return out;
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * A line rewritten in place about once a second — only when stderr is a terminal; in a pipe or
 * a CI log the rewrites would be noise, and the summary says it all.
 */
export class ProgressLine {
  private timer: NodeJS.Timeout | undefined;
  private readonly enabled = process.stderr.isTTY === true;

  start(render: () => string, everyMs = 1_000): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => process.stderr.write(`\r\u001b[2K${render()}`), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    process.stderr.write('\r\u001b[2K');
  }
}
