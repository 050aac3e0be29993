/**
 * The plan behind `vltava groups reset-offsets`: which partitions, and the new offset of each,
 * computed from committed offsets and the partitions' earliest/latest/timestamp offsets exactly
 * as kafka-consumer-groups.sh does (targets outside [earliest, latest] are clamped; --shift-by
 * needs a committed offset; --to-current keeps committed offsets and uses the log end where
 * there is none). Computing the plan here, not in Admin.resetOffsets, is what makes a dry run
 * possible: nothing is written until --execute.
 */
import type { Admin } from '../../client/admin/admin.js';
import { CliError, usageError } from '../support/errors.js';

export type ResetSpec =
  | { to: 'earliest' }
  | { to: 'latest' }
  | { to: 'current' }
  | { to: 'offset'; offset: number }
  | { to: 'shift'; by: number }
  | { to: 'timestamp'; timestamp: number };

export interface ResetFlags {
  toEarliest?: boolean;
  toLatest?: boolean;
  toCurrent?: boolean;
  toOffset?: string;
  shiftBy?: string;
  toDatetime?: string;
  byDuration?: string;
}

export interface PlannedReset {
  topic: string;
  partition: number;
  /** -1 when the group has no committed offset for the partition. */
  currentOffset: number;
  newOffset: number;
}

/** ISO-8601 duration as Kafka takes it (PnDTnHnMnS, e.g. PT15M, P1DT2H); returns ms. */
export function parseDuration(s: string): number {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(
    s.trim(),
  );
  if (!m || s.trim().toUpperCase() === 'P' || s.trim().toUpperCase().endsWith('T'))
    throw usageError(`--by-duration expects an ISO-8601 duration like PT15M or P1DT2H, got '${s}'`);
  const [d, h, min, sec] = m.slice(1).map((x) => Number(x ?? 0));
  return Math.round((((d! * 24 + h!) * 60 + min!) * 60 + sec!) * 1000);
}

/** Kafka's --to-datetime format (YYYY-MM-DDTHH:mm:SS.sss, local time unless a zone is given). */
export function parseDatetime(s: string): number {
  const t = Date.parse(s.trim());
  if (Number.isNaN(t))
    throw usageError(
      `--to-datetime expects YYYY-MM-DDTHH:mm:SS.sss (optionally with a zone like Z or +02:00), got '${s}'`,
    );
  return t;
}

export function resetSpec(flags: ResetFlags, now = Date.now()): ResetSpec {
  const chosen: ResetSpec[] = [];
  if (flags.toEarliest) chosen.push({ to: 'earliest' });
  if (flags.toLatest) chosen.push({ to: 'latest' });
  if (flags.toCurrent) chosen.push({ to: 'current' });
  if (flags.toOffset !== undefined) {
    const n = Number(flags.toOffset);
    if (!Number.isInteger(n) || n < 0) throw usageError(`--to-offset expects an offset >= 0, got '${flags.toOffset}'`);
    chosen.push({ to: 'offset', offset: n });
  }
  if (flags.shiftBy !== undefined) {
    const n = Number(flags.shiftBy);
    if (!Number.isInteger(n))
      throw usageError(`--shift-by expects an integer (negative moves back), got '${flags.shiftBy}'`);
    chosen.push({ to: 'shift', by: n });
  }
  if (flags.toDatetime !== undefined) chosen.push({ to: 'timestamp', timestamp: parseDatetime(flags.toDatetime) });
  if (flags.byDuration !== undefined)
    chosen.push({ to: 'timestamp', timestamp: now - parseDuration(flags.byDuration) });
  if (chosen.length !== 1)
    throw usageError(
      'give exactly one of --to-earliest, --to-latest, --to-current, --to-offset, --shift-by, --to-datetime, --by-duration',
    );
  return chosen[0]!;
}

/** "orders" (all partitions) or "orders:0,2" (Kafka's --topic syntax for some partitions). */
export function parseTopicPartitions(arg: string): { topic: string; partitions?: number[] } {
  const i = arg.lastIndexOf(':');
  if (i < 0) return { topic: arg.trim() };
  const partitions = arg
    .slice(i + 1)
    .split(',')
    .map((p) => Number(p.trim()));
  if (partitions.some((p) => !Number.isInteger(p) || p < 0))
    throw usageError(`--topic expects topic or topic:partition,partition..., got '${arg}'`);
  return { topic: arg.slice(0, i).trim(), partitions };
}

export async function planReset(
  admin: Admin,
  groupId: string,
  targets: Array<{ topic: string; partitions?: number[] }>,
  spec: ResetSpec,
): Promise<PlannedReset[]> {
  const committed = await admin.fetchOffsets(groupId);
  const tps: Array<{ topic: string; partition: number }> = [];
  for (const t of targets) {
    const parts = t.partitions ?? (await admin.describeTopics([t.topic]))[0]!.partitions.map((p) => p.partition);
    for (const partition of parts) tps.push({ topic: t.topic, partition });
  }
  if (tps.length === 0) return [];
  const [earliest, latest] = await Promise.all([
    admin.listOffsets(tps.map((tp) => ({ ...tp, timestamp: 'earliest' as const }))),
    admin.listOffsets(tps.map((tp) => ({ ...tp, timestamp: 'latest' as const }))),
  ]);
  const byTime =
    spec.to === 'timestamp' ? await admin.listOffsets(tps.map((tp) => ({ ...tp, timestamp: spec.timestamp }))) : [];
  return tps.map((tp, i) => {
    const low = earliest[i]!.offset;
    const high = latest[i]!.offset;
    const current = committed.find((c) => c.topic === tp.topic && c.partition === tp.partition)?.offset ?? -1;
    let target: number;
    switch (spec.to) {
      case 'earliest':
        target = low;
        break;
      case 'latest':
        target = high;
        break;
      case 'current':
        target = current >= 0 ? current : high;
        break;
      case 'offset':
        target = spec.offset;
        break;
      case 'shift':
        if (current < 0)
          throw new CliError(
            `cannot shift the offset of ${tp.topic}-${tp.partition}: group '${groupId}' has no committed offset there`,
          );
        target = current + spec.by;
        break;
      case 'timestamp':
        // No record at or after the time: the log end, as Kafka does.
        target = byTime[i]!.offset < 0 ? high : byTime[i]!.offset;
        break;
    }
    return { ...tp, currentOffset: current, newOffset: Math.min(high, Math.max(low, target)) };
  });
}

/** Commits a plan: one reset call per (topic, new offset), the client clamps again harmlessly. */
export async function executeReset(admin: Admin, groupId: string, plan: PlannedReset[]): Promise<void> {
  const batches = new Map<string, { topic: string; offset: number; partitions: number[] }>();
  for (const p of plan) {
    const k = `${p.topic}\u0000${p.newOffset}`;
    const b = batches.get(k) ?? { topic: p.topic, offset: p.newOffset, partitions: [] };
    batches.set(k, b);
    b.partitions.push(p.partition);
  }
  for (const b of batches.values())
    await admin.resetOffsets(groupId, b.topic, { to: 'offset', offset: b.offset }, b.partitions);
}
