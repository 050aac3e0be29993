/**
 * Plots for docs/benchmarks.md, drawn from one run's JSON reports: produce throughput vs record
 * size (blaster and each client), and end-to-end latency percentiles vs offered load.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChart, type Series } from './svg.js';

// biome-ignore lint/suspicious/noExplicitAny: reads our own reports, whose shapes the benches define
type Json = Record<string, any>;

function load(dir: string, name: string): Json | null {
  const p = join(dir, `${name}.json`);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Json) : null;
}

/** Writes the SVGs next to the reports; returns the paths written. */
export function writePlots(dir: string): string[] {
  const written: string[] = [];
  const blaster = load(dir, 'blaster');
  const broker = load(dir, 'broker');
  const series: Series[] = [];
  if (blaster) {
    series.push({
      name: 'blaster (acks=1)',
      // Payload MB/s, as the clients' figures count; rows with errors are left out.
      points: blaster.results
        .filter((r: Json) => r.acks === 1 && !r.errors)
        .map((r: Json) => [r.recordBytes, r.payloadMBps ?? r.MBps]),
    });
  }
  const tp: Json[] = broker?.result?.throughput ?? [];
  for (const client of [...new Set(tp.map((t) => t.client as string))]) {
    const points = tp
      .filter((t) => t.client === client && t.op === 'produce' && t.acks === 1 && !t.error)
      .map((t): [number, number] => [t.recordBytes, t.MBps]);
    if (points.length) series.push({ name: `${client.split(' ')[0]} produce`, points });
  }
  if (series.length) {
    const p = join(dir, 'throughput-vs-record-size.svg');
    writeFileSync(
      p,
      lineChart({
        title: 'Produce throughput vs record size (acks=1)',
        xLabel: 'record size (bytes, log scale)',
        yLabel: 'MB/s',
        series,
        logX: true,
      }),
    );
    written.push(p);
  }
  const lat: Json[] = (broker?.result?.latency ?? []).filter(
    (l: Json) => String(l.client).startsWith('wire') && l.latency,
  );
  if (lat.length > 1) {
    const pick = (k: string): [number, number][] =>
      lat.map((l): [number, number] => [l.rateMBps, l.latency[k]]).sort((a, b) => a[0] - b[0]);
    const p = join(dir, 'latency-vs-load.svg');
    writeFileSync(
      p,
      lineChart({
        title: 'Produce-to-consume latency vs load (1 KiB, acks=all)',
        xLabel: 'offered load (MB/s)',
        yLabel: 'ms (log scale)',
        series: [
          { name: 'p50', points: pick('p50Ms') },
          { name: 'p99', points: pick('p99Ms') },
          { name: 'p99.9', points: pick('p999Ms') },
          { name: 'max', points: pick('maxMs') },
        ],
        logY: true,
      }),
    );
    written.push(p);
  }
  return written;
}
