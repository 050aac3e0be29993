/**
 * LogProvider for `startBroker({ storage: 'memory' })`: one storage MemoryLog per partition, no
 * files at all (no data dir, no checkpoints, nothing to clean up). Data lives as long as the
 * broker; MemoryLog applies no time/size retention and no compaction.
 * Concurrency: event-loop only; each MemoryLog completes its operations synchronously in order.
 */
import type { Clock } from '../../common/clock.js';
import type { LogConfig } from '../../storage/config.js';
import type { PartitionLog } from '../../storage/log/types.js';
import { MemoryLog } from '../../storage/memory/memory-log.js';
import type { LogDirInfo, LogProvider, TopicPartitionId } from './log-provider.js';

/** The log dir name DescribeLogDirs reports for in-memory partitions. */
export const MEMORY_LOG_DIR = 'memory';

export class MemoryLogProvider implements LogProvider {
  /** A MemoryLog stores appended buffers as they are. */
  readonly retainsAppendedBuffers = true;
  private readonly logs = new Map<string, MemoryLog>();

  constructor(private readonly clock: Clock) {}

  private static key(tp: TopicPartitionId): string {
    return `${tp.topic}-${tp.partition}`;
  }

  async getOrCreateLog(tp: TopicPartitionId, config: LogConfig): Promise<PartitionLog> {
    const key = MemoryLogProvider.key(tp);
    let log = this.logs.get(key);
    if (log === undefined) {
      log = new MemoryLog({ topic: tp.topic, partition: tp.partition }, config, this.clock);
      this.logs.set(key, log);
    }
    return log;
  }

  updateConfig(tp: TopicPartitionId, config: LogConfig): void {
    const log = this.logs.get(MemoryLogProvider.key(tp));
    if (log) log.config = config;
  }

  async deleteLog(tp: TopicPartitionId): Promise<void> {
    const key = MemoryLogProvider.key(tp);
    const log = this.logs.get(key);
    this.logs.delete(key);
    await log?.close();
  }

  async describeLogDirs(): Promise<LogDirInfo[]> {
    const partitions = [...this.logs.values()].map((l) => ({ topic: l.topicPartition.topic, partition: l.topicPartition.partition, size: l.size, offsetLag: 0 }));
    // Capacity of a memory "dir" is unknown: reported as -1, as Kafka does when it cannot tell.
    return [{ path: MEMORY_LOG_DIR, partitions, totalBytes: -1, usableBytes: -1 }];
  }

  async close(): Promise<void> {
    for (const log of this.logs.values()) await log.close();
    this.logs.clear();
  }
}
