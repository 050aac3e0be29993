/**
 * LeaderEpochCache: which leader epoch wrote which offsets in one partition — a sorted list of
 * (epoch, startOffset), where an epoch's offsets run until the next entry's startOffset. Followers
 * use it through OffsetsForLeaderEpoch (`endOffsetFor`) to find where their log diverges from the
 * leader's and truncate there.
 *
 * On disk: `<partition dir>/leader-epoch-checkpoint` in Kafka's checkpoint format (version 0,
 * entries `<epoch> <startOffset>`), rewritten atomically after every change. `path` null keeps it
 * in memory only.
 *
 * Invariants: epochs and start offsets both strictly increase along the list.
 * Concurrency: mutations come from the owning Log's serialized paths; file writes are chained so
 * the file always ends as the latest state.
 */
import { readCheckpointLines, writeCheckpointLines } from '../checkpoint/checkpoint-file.js';
import { InvalidCheckpointError } from '../errors.js';

export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class LeaderEpochCache {
  private entries: EpochEntry[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly path: string | null) {}

  static async load(path: string | null): Promise<LeaderEpochCache> {
    const cache = new LeaderEpochCache(path);
    if (path === null) return cache;
    const lines = await readCheckpointLines(path);
    for (const line of lines ?? []) {
      const [e, o] = line.split(' ');
      const epoch = Number(e);
      const startOffset = Number(o);
      if (!Number.isInteger(epoch) || !Number.isInteger(startOffset)) throw new InvalidCheckpointError(path, `bad entry "${line}"`);
      cache.insert({ epoch, startOffset });
    }
    return cache;
  }

  get all(): readonly EpochEntry[] {
    return this.entries;
  }

  latestEntry(): EpochEntry | undefined {
    return this.entries.at(-1);
  }

  latestEpoch(): number {
    return this.entries.at(-1)?.epoch ?? UNDEFINED_EPOCH;
  }

  earliestEntry(): EpochEntry | undefined {
    return this.entries[0];
  }

  /** Epoch of the entry covering `offset`, or UNDEFINED_EPOCH. */
  epochForOffset(offset: number): number {
    let found = UNDEFINED_EPOCH;
    for (const e of this.entries) {
      if (e.startOffset <= offset) found = e.epoch;
      else break;
    }
    return found;
  }

  /** Drops entries that would break monotonicity with `entry`, then appends it (Kafka's assign). */
  private insert(entry: EpochEntry): boolean {
    const latest = this.latestEntry();
    if (latest !== undefined && latest.epoch === entry.epoch && latest.startOffset <= entry.startOffset) return false;
    this.entries = this.entries.filter((e) => e.epoch < entry.epoch && e.startOffset < entry.startOffset);
    this.entries.push(entry);
    return true;
  }

  /** Records that `epoch` starts at `startOffset` (no-op if the latest entry already is that epoch). */
  async assign(epoch: number, startOffset: number): Promise<void> {
    if (epoch < 0 || startOffset < 0) return;
    if (this.insert({ epoch, startOffset })) await this.flush();
  }

  /**
   * Kafka's endOffsetFor: the (epoch, end offset) a follower asking about `requestedEpoch` should
   * truncate to. The end offset of the latest epoch is the log end offset.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    if (requestedEpoch === UNDEFINED_EPOCH) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    const latest = this.latestEntry();
    if (latest !== undefined && latest.epoch === requestedEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higherIdx = this.entries.findIndex((e) => e.epoch > requestedEpoch);
    if (higherIdx < 0) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    const higher = this.entries[higherIdx]!;
    const floor = higherIdx > 0 ? this.entries[higherIdx - 1]! : undefined;
    if (floor === undefined) return { epoch: requestedEpoch, endOffset: higher.startOffset };
    return { epoch: floor.epoch, endOffset: higher.startOffset };
  }

  /** Removes entries starting at or after `endOffset` (log truncated to endOffset). */
  async truncateFromEnd(endOffset: number): Promise<void> {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.startOffset < endOffset);
    if (this.entries.length !== before) await this.flush();
  }

  /** Log start moved to `startOffset`: entries before it collapse into one starting there. */
  async truncateFromStart(startOffset: number): Promise<void> {
    const removed = this.entries.filter((e) => e.startOffset <= startOffset);
    if (removed.length === 0) return;
    const last = removed.at(-1)!;
    if (removed.length === 1 && last.startOffset === startOffset) return;
    this.entries = [{ epoch: last.epoch, startOffset }, ...this.entries.filter((e) => e.startOffset > startOffset)];
    await this.flush();
  }

  async clear(): Promise<void> {
    this.entries = [];
    await this.flush();
  }

  private flush(): Promise<void> {
    if (this.path === null) return Promise.resolve();
    const path = this.path;
    const snapshot = this.entries.map((e) => `${e.epoch} ${e.startOffset}`);
    this.writing = this.writing.catch(() => undefined).then(() => writeCheckpointLines(path, 0, snapshot));
    return this.writing;
  }
}
