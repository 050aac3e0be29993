/**
 * Kafka's checkpoint text files, written atomically (write `<file>.tmp`, fsync, rename, fsync dir).
 *
 * Format (CheckpointFile in Kafka):
 *   <version>\n<entry count>\n<entry>\n...
 * Offset checkpoints (`recovery-point-offset-checkpoint`, `log-start-offset-checkpoint`,
 * `replication-offset-checkpoint`, `cleaner-offset-checkpoint`) use version 0 and entries
 * `<topic> <partition> <offset>`; `leader-epoch-checkpoint` uses version 0 and `<epoch> <startOffset>`.
 *
 * Concurrency: callers serialize writes to one file (LogManager's checkpoint task, the Log's
 * epoch cache); a crash leaves either the old or the new file, never a torn one.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidCheckpointError } from '../errors.js';
import type { TopicPartition } from '../segment/file-names.js';

export async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some platforms/filesystems refuse fsync on directories; the rename is still atomic.
  }
}

export async function writeCheckpointLines(path: string, version: number, entries: string[], sync = true): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(`${version}\n${entries.length}\n${entries.map((e) => `${e}\n`).join('')}`);
    if (sync) await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  if (sync) await fsyncDir(dirname(path));
}

/** Entry lines of a checkpoint file, or null if missing. Throws InvalidCheckpointError if malformed. */
export async function readCheckpointLines(path: string, expectedVersion = 0): Promise<string[] | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length < 2) throw new InvalidCheckpointError(path, 'missing version or count line');
  const version = Number(lines[0]);
  if (version !== expectedVersion) throw new InvalidCheckpointError(path, `unsupported version ${lines[0]}`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count < 0 || lines.length - 2 !== count) {
    throw new InvalidCheckpointError(path, `expected ${lines[1]} entries, found ${lines.length - 2}`);
  }
  return lines.slice(2);
}

export type OffsetCheckpoint = Map<string, { tp: TopicPartition; offset: number }>;

/** Reads `<topic> <partition> <offset>` entries, keyed by `<topic>-<partition>`. Missing file = empty. */
export async function readOffsetCheckpoint(path: string): Promise<OffsetCheckpoint> {
  const out: OffsetCheckpoint = new Map();
  const lines = await readCheckpointLines(path);
  for (const line of lines ?? []) {
    const parts = line.split(' ');
    if (parts.length !== 3) throw new InvalidCheckpointError(path, `bad entry "${line}"`);
    const [topic, p, o] = parts as [string, string, string];
    const partition = Number(p);
    const offset = Number(o);
    if (!Number.isInteger(partition) || !Number.isInteger(offset)) throw new InvalidCheckpointError(path, `bad entry "${line}"`);
    out.set(`${topic}-${partition}`, { tp: { topic, partition }, offset });
  }
  return out;
}

export async function writeOffsetCheckpoint(path: string, entries: Iterable<{ tp: TopicPartition; offset: number }>, sync = true): Promise<void> {
  const lines: string[] = [];
  for (const e of entries) lines.push(`${e.tp.topic} ${e.tp.partition} ${e.offset}`);
  await writeCheckpointLines(path, 0, lines, sync);
}
