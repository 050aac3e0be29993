/**
 * V8 heap tuning for the broker process: what KAFKA_JVM_PERFORMANCE_OPTS is to Kafka's JVM.
 *
 * V8 grows the young generation from 1 MiB towards 16 MiB semi-spaces when a program allocates
 * steadily, as a broker under load does. With 16 MiB semi-spaces each scavenge took 1–8 ms, and V8
 * then switched to full mark-compacts every ~0.4 s whose marking steps held the event loop for up
 * to 7 ms: the largest part of the produce-to-consume tail at 10 MB/s (docs/benchmarks.md,
 * "Produce-to-consume latency"). Keeping the young generation at its initial size gives a scavenge
 * every ~30 ms at that load costing ~0.4 ms, and no mark-compact for many seconds.
 *
 * Applied only by `vltava server start` (never by the embedded broker, whose host process owns its
 * V8 flags), and only when the user has not chosen semi-space flags of their own in node's
 * arguments or NODE_OPTIONS.
 */
import { setFlagsFromString } from 'node:v8';

const USER_CHOICE = /--(?:(?:max|min)[-_])?semi[-_]space/;

/** The V8 flags the broker process should set: none when the user chose semi-space flags. */
export function heapTuningFlags(execArgv: readonly string[], nodeOptions: string): string[] {
  if (execArgv.some((a) => USER_CHOICE.test(a)) || USER_CHOICE.test(nodeOptions)) return [];
  return ['--semi-space-growth-factor=1'];
}

/** Applies heapTuningFlags to this process (before the broker starts allocating); returns them. */
export function tuneHeapForBroker(): string[] {
  const flags = heapTuningFlags(process.execArgv, process.env.NODE_OPTIONS ?? '');
  for (const f of flags) setFlagsFromString(f);
  return flags;
}
