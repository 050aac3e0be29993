/**
 * The narrow interface the ReplicaManager needs from storage: open (or create) the log of a
 * partition with its config, apply a config change, delete a log, and shut everything down with
 * checkpoints written. Implemented over storage's LogManager (disk) or in-memory logs.
 */
import type { LogConfig } from '../../storage/config.js';
import type { PartitionLog } from '../../storage/log/types.js';

export interface TopicPartitionId {
  topic: string;
  partition: number;
  topicId: Buffer;
}

export interface LogDirInfo {
  path: string;
  /** Per partition: size in bytes. */
  partitions: Array<{ topic: string; partition: number; size: number; offsetLag: number }>;
  totalBytes: number;
  usableBytes: number;
  error?: string;
}

export interface LogProvider {
  /**
   * Whether its logs still reference a buffer given to append() once the append has settled.
   * When false, a Produce request's frame may be reused after its response (FramePool).
   */
  readonly retainsAppendedBuffers: boolean;
  getOrCreateLog(tp: TopicPartitionId, config: LogConfig): Promise<PartitionLog>;
  updateConfig(tp: TopicPartitionId, config: LogConfig): void;
  deleteLog(tp: TopicPartitionId): Promise<void>;
  describeLogDirs(): Promise<LogDirInfo[]>;
  close(): Promise<void>;
}
