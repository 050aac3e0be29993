/**
 * LogProvider over storage's LogManager (disk). For `storage: 'memory'` the broker points it at a
 * fresh temporary directory removed on close: the same code path as disk, without durability —
 * until storage ships a dedicated in-memory log.
 */
import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { LogConfig } from '../../storage/config.js';
import type { LogManager } from '../../storage/log/log-manager.js';
import type { PartitionLog } from '../../storage/log/types.js';
import type { LogDirInfo, LogProvider, TopicPartitionId } from './log-provider.js';

export class LogManagerProvider implements LogProvider {
  constructor(
    private readonly manager: LogManager,
    private readonly logDirs: string[],
  ) {}

  getOrCreateLog(tp: TopicPartitionId, config: LogConfig): Promise<PartitionLog> {
    return this.manager.getOrCreateLog({ topic: tp.topic, partition: tp.partition }, config);
  }

  updateConfig(tp: TopicPartitionId, config: LogConfig): void {
    this.manager.updateConfig({ topic: tp.topic, partition: tp.partition }, config);
  }

  deleteLog(tp: TopicPartitionId): Promise<void> {
    return this.manager.deleteLog({ topic: tp.topic, partition: tp.partition });
  }

  async describeLogDirs(): Promise<LogDirInfo[]> {
    const all = this.manager.allLogs();
    return Promise.all(
      this.logDirs.map(async (path) => {
        const partitions = all
          .filter(({ log }) => resolve(dirname(log.dir)) === resolve(path))
          .map(({ tp, log }) => ({ topic: tp.topic, partition: tp.partition, size: log.size, offsetLag: 0 }));
        let totalBytes = -1;
        let usableBytes = -1;
        try {
          const s = await statfs(path);
          totalBytes = s.blocks * s.bsize;
          usableBytes = s.bavail * s.bsize;
        } catch {
          // Reported as unknown (-1), as Kafka does when it cannot tell.
        }
        return { path, partitions, totalBytes, usableBytes };
      }),
    );
  }

  close(): Promise<void> {
    return this.manager.shutdown();
  }
}
