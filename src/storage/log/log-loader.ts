/**
 * LogLoader: turns a partition directory into a consistent list of segments at startup.
 *
 * Steps, in Kafka's order: drop temporary files (`*.tmp`, `*.cleaned`) and finish deletions
 * (`*.deleted`); complete an interrupted compaction swap (`*.swap` replaces the originals whose
 * base offsets it covers); open every segment; then, after an unclean shutdown, recover each
 * segment from the one containing the recovery point on (CRC + framing scan, index rebuild,
 * truncation at the first invalid byte, and deletion of every later segment, whose data can no
 * longer follow a gap). Segments whose index is missing or fails its sanity check are recovered
 * regardless of the shutdown kind.
 *
 * Concurrency: runs before the Log exists; nothing else touches the directory meanwhile.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';
import type { BatchInfo } from '../segment/batch-scan.js';
import { DELETED_FILE_SUFFIX, parseSegmentFileName } from '../segment/file-names.js';
import { LogSegment, type SegmentOptions } from '../segment/log-segment.js';

export interface LoadOptions {
  dir: string;
  segmentOptions: SegmentOptions;
  hadCleanShutdown: boolean;
  recoveryPoint: number;
  logStartOffset: number;
  nowMs: number;
  /** Sees every batch of recovered segments (the epoch cache is rebuilt from them). */
  onRecoveredBatch?: (b: BatchInfo) => void;
  logger?: Pick<Logger, 'warn' | 'info'>;
}

export interface LoadedLog {
  segments: LogSegment[];
  nextOffset: number;
  recoveryPoint: number;
  /** Bytes dropped by recovery (torn tails, corrupt batches, segments after them). */
  truncatedBytes: number;
  recoveredSegments: number;
}

export async function loadLog(o: LoadOptions): Promise<LoadedLog> {
  await mkdir(o.dir, { recursive: true });
  const names = await readdir(o.dir);
  const logs = new Set<number>();
  const swaps = new Set<number>();
  for (const name of names) {
    if (name.endsWith('.tmp')) {
      await rm(join(o.dir, name), { force: true });
      continue;
    }
    const f = parseSegmentFileName(name);
    if (f === null) continue;
    if (f.suffix === '.cleaned' || f.suffix === DELETED_FILE_SUFFIX) {
      await rm(join(o.dir, name), { force: true });
    } else if (f.suffix === '.swap') {
      if (f.kind === 'log') swaps.add(f.baseOffset);
    } else if (f.kind === 'log') logs.add(f.baseOffset);
  }

  // Finish interrupted swaps: the .swap holds cleaned data for [base, its last offset]; originals
  // in that range are superseded. Originals after it (if all their records were cleaned away,
  // the swap ends earlier) hold only newer offsets, so keeping them is harmless.
  for (const base of [...swaps].sort((a, b) => a - b)) {
    const { segment } = await LogSegment.open(o.dir, base, o.segmentOptions, '.swap');
    const r = await segment.recover();
    const last = r.nextOffset - 1;
    for (const orig of [...logs]) {
      if (orig >= base && orig <= Math.max(base, last)) {
        const { segment: old } = await LogSegment.open(o.dir, orig, o.segmentOptions);
        await old.delete();
        logs.delete(orig);
      }
    }
    await segment.flushIndexes({ trim: true });
    await segment.changeFileSuffix('');
    await segment.closeHandlers();
    logs.add(base);
  }

  // Index files without a .log are leftovers.
  for (const name of names) {
    const f = parseSegmentFileName(name);
    if (f !== null && f.suffix === '' && f.kind !== 'log' && !logs.has(f.baseOffset)) await rm(join(o.dir, name), { force: true });
  }

  const segments: LogSegment[] = [];
  const needsIndexRebuild = new Set<LogSegment>();
  for (const base of [...logs].sort((a, b) => a - b)) {
    const { segment, indexesOk } = await LogSegment.open(o.dir, base, o.segmentOptions);
    segments.push(segment);
    if (!indexesOk) needsIndexRebuild.add(segment);
  }

  let truncatedBytes = 0;
  let recoveredSegments = 0;
  let recoverFrom = segments.length;
  if (!o.hadCleanShutdown) {
    // The segment containing the recovery point, and all later ones.
    recoverFrom = 0;
    for (let i = 0; i < segments.length; i++) if (segments[i]!.baseOffset <= o.recoveryPoint) recoverFrom = i;
  }
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (i < recoverFrom && !needsIndexRebuild.has(seg)) continue;
    const r = await seg.recover(i >= recoverFrom ? o.onRecoveredBatch : undefined);
    recoveredSegments++;
    truncatedBytes += r.truncatedBytes;
    const isLast = i === segments.length - 1;
    await seg.flushIndexes({ trim: !isLast });
    if (r.problem !== null) {
      o.logger?.warn({ segment: seg.logPath, problem: r.problem, truncatedBytes: r.truncatedBytes }, 'truncated invalid bytes during log recovery');
      // Everything after the first invalid byte goes: later segments cannot follow a gap.
      for (const later of segments.splice(i + 1)) {
        truncatedBytes += later.size;
        await later.delete();
      }
      break;
    }
  }

  if (segments.length === 0) {
    segments.push(await LogSegment.create(o.dir, o.logStartOffset, o.segmentOptions, o.nowMs));
  }
  const active = segments.at(-1)!;
  let nextOffset: number;
  try {
    nextOffset = await active.readNextOffset();
  } catch {
    // A clean shutdown marker with a damaged active segment: recover it after all.
    const r = await active.recover(o.onRecoveredBatch);
    truncatedBytes += r.truncatedBytes;
    recoveredSegments++;
    nextOffset = r.nextOffset;
  }
  const recoveryPoint = o.hadCleanShutdown && recoveredSegments === 0 ? Math.min(o.recoveryPoint, nextOffset) : nextOffset;
  if (recoveredSegments > 0) for (const s of segments) if (s.baseOffset >= Math.min(o.recoveryPoint, active.baseOffset)) await s.flush();
  return { segments, nextOffset, recoveryPoint, truncatedBytes, recoveredSegments };
}
