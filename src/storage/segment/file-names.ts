/**
 * Kafka's file naming inside a log dir. Segment files are named by their base offset as a
 * zero-padded 20-digit decimal (`00000000000000000042.log`); a partition's directory is
 * `<topic>-<partition>`. Suffixes mark files in transit: `.cleaned` (compaction output being
 * written), `.swap` (cleaned output ready to replace originals), `.deleted` (scheduled for removal).
 */
import { join } from 'node:path';

export const LOG_FILE_SUFFIX = '.log';
export const INDEX_FILE_SUFFIX = '.index';
export const TIME_INDEX_FILE_SUFFIX = '.timeindex';
export const CLEANED_FILE_SUFFIX = '.cleaned';
export const SWAP_FILE_SUFFIX = '.swap';
export const DELETED_FILE_SUFFIX = '.deleted';
export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';
export const PARTITION_METADATA_FILE = 'partition.metadata';

export function filenamePrefixFromOffset(offset: number): string {
  return String(offset).padStart(20, '0');
}

export const logFilePath = (dir: string, baseOffset: number, suffix = ''): string =>
  join(dir, filenamePrefixFromOffset(baseOffset) + LOG_FILE_SUFFIX + suffix);
export const offsetIndexPath = (dir: string, baseOffset: number, suffix = ''): string =>
  join(dir, filenamePrefixFromOffset(baseOffset) + INDEX_FILE_SUFFIX + suffix);
export const timeIndexPath = (dir: string, baseOffset: number, suffix = ''): string =>
  join(dir, filenamePrefixFromOffset(baseOffset) + TIME_INDEX_FILE_SUFFIX + suffix);

/** Base offset from a name like `00000000000000000042.log[.swap]`, or null if not a segment file. */
export function parseSegmentFileName(name: string): { baseOffset: number; kind: 'log' | 'index' | 'timeindex'; suffix: string } | null {
  const m = /^(\d{20})\.(log|index|timeindex)((?:\.cleaned|\.swap|\.deleted)?)$/.exec(name);
  if (m === null) return null;
  return { baseOffset: Number(m[1]), kind: m[2] as 'log' | 'index' | 'timeindex', suffix: m[3] ?? '' };
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export const partitionDirName = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;

/** Parses `<topic>-<partition>`; null for anything else (including Kafka's `-delete` / `-future` dirs). */
export function parsePartitionDirName(name: string): TopicPartition | null {
  const i = name.lastIndexOf('-');
  if (i <= 0) return null;
  const partition = name.slice(i + 1);
  if (!/^\d+$/.test(partition)) return null;
  return { topic: name.slice(0, i), partition: Number(partition) };
}

export const tpKey = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;
