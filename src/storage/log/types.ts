/** Shapes shared by the on-disk Log and the in-memory MemoryLog (the narrow interface the broker uses). */
import type { LeaderEpochCache } from '../epoch/leader-epoch-cache.js';

export interface AppendOptions {
  /**
   * Leader appends (default true): the log assigns offsets by patching each batch's baseOffset.
   * Follower/replication appends pass false: offsets are kept and must follow the log end.
   */
  assignOffsets?: boolean;
  /** Leader epoch stamped into each batch's partitionLeaderEpoch (leader appends). */
  leaderEpoch?: number;
}

export interface LogAppendInfo {
  firstOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  offsetOfMaxTimestamp: number;
  /** The broker time written into the batches when the topic uses LogAppendTime, else -1. */
  logAppendTimeMs: number;
  logStartOffset: number;
  recordCount: number;
  validBytes: number;
}

export interface ReadOptions {
  /** Byte budget; whole batches only, the first one even when larger (see minOneMessage). */
  maxBytes: number;
  /** Exclusive upper bound on offsets returned (e.g. the high watermark); defaults to the log end. */
  maxOffset?: number;
  /** Return the first batch even if it alone exceeds maxBytes (Kafka's minOneMessage; default true). */
  minOneMessage?: boolean;
}

export interface FetchDataInfo {
  /** Whole RecordBatch v2 batches, as stored. Empty when there is nothing to return. */
  records: Buffer;
  /** baseOffset of the first batch returned, or -1. */
  firstOffset: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

/** ListOffsets special timestamps (Kafka's ListOffsetsRequest constants). */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;
export const EARLIEST_LOCAL_TIMESTAMP = -4;

export interface TimestampAndOffset {
  timestamp: number;
  offset: number;
  leaderEpoch: number;
}

/** The operations the broker needs from a partition log; implemented by Log and MemoryLog. */
export interface PartitionLog {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  readonly leaderEpochCache: LeaderEpochCache;
  append(records: Buffer, options?: AppendOptions): Promise<LogAppendInfo>;
  read(startOffset: number, options: ReadOptions): Promise<FetchDataInfo>;
  fetchOffsetByTimestamp(timestamp: number): Promise<TimestampAndOffset | null>;
  updateHighWatermark(offset: number): number;
  /** DeleteRecords: raises logStartOffset (<= high watermark). Returns the new logStartOffset. */
  deleteRecordsTo(offset: number): Promise<number>;
  truncateTo(offset: number): Promise<boolean>;
  truncateFullyAndStartAt(offset: number): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Called after data is appended (long-poll fetches, replica fetchers wake on it). */
  onAppend(listener: (info: LogAppendInfo) => void): () => void;
}
