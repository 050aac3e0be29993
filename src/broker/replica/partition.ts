/**
 * Partition: this broker's replica of one topic partition and its replication state. Owns the
 * partition's log and its view of leader, leader epoch, replicas and ISR (from the metadata store);
 * the high watermark lives in the log (so it is checkpointed with it).
 *
 * Invariants: highWatermark <= logEndOffset; as leader, the HW is the minimum log end offset over
 * the ISR. On one node the ISR is just this broker, so every append moves the HW to the log end —
 * the same code path a follower's fetch will drive once replication lands (followerLogEndOffsets).
 * Concurrency: event-loop only; appends are ordered by the log's own append queue.
 */
import type { TopicConfig } from '../../common/config/topic-config.js';
import type { PartitionLog, LogAppendInfo } from '../../storage/log/types.js';
import type { PartitionState } from '../metadata/metadata-store.js';

export class Partition {
  /** Log end offsets of follower replicas, as reported by their fetches (multi-node). */
  readonly followerLogEndOffsets = new Map<number, number>();
  /** Running total of bytes appended here; delayed fetches measure progress against it. */
  bytesAppended = 0;
  /** Set when the topic is deleted, so waiting operations answer instead of hanging. */
  isDeleted = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly topicId: Buffer,
    public state: PartitionState,
    readonly log: PartitionLog,
    public topicConfig: TopicConfig,
    private readonly localNodeId: number,
  ) {}

  get key(): string {
    return partitionKey(this.topic, this.partition);
  }

  get isLeader(): boolean {
    return this.state.leader === this.localNodeId;
  }

  get leaderEpoch(): number {
    return this.state.leaderEpoch;
  }

  get highWatermark(): number {
    return this.log.highWatermark;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  /** No transactions yet, so the last stable offset is the high watermark. */
  get lastStableOffset(): number {
    return this.log.highWatermark;
  }

  get inSyncReplicaCount(): number {
    return this.state.isr.length;
  }

  async appendAsLeader(records: Buffer): Promise<LogAppendInfo> {
    const info = await this.log.append(records, { assignOffsets: true, leaderEpoch: this.state.leaderEpoch });
    this.bytesAppended += info.validBytes;
    this.maybeIncrementHighWatermark();
    return info;
  }

  /** HW = min LEO over the ISR (this broker's LEO plus followers' reported LEOs). */
  maybeIncrementHighWatermark(): boolean {
    let hw = this.log.logEndOffset;
    for (const id of this.state.isr) {
      if (id === this.localNodeId) continue;
      hw = Math.min(hw, this.followerLogEndOffsets.get(id) ?? 0);
    }
    if (hw <= this.log.highWatermark) return false;
    this.log.updateHighWatermark(hw);
    return true;
  }
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
