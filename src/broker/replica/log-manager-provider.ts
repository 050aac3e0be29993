/**
 * LogProvider over storage's LogManager (disk: log.dirs, recovery, retention, compaction,
 * checkpoints). `storage: 'memory'` uses MemoryLogProvider instead.
 */
import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Clock } from '../../common/clock.js';
import type { BrokerConfig } from '../../common/config/broker-config.js';
import { TopicConfig } from '../../common/config/topic-config.js';
import type { Logger } from '../../common/logger.js';
import { type LogConfig, logConfigFromProperties } from '../../storage/config.js';
import { LogManager } from '../../storage/log/log-manager.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { PartitionLog } from '../../storage/log/types.js';
import type { LogDirInfo, LogProvider, TopicPartitionId } from './log-provider.js';

export interface LogManagerProviderOptions {
  config: BrokerConfig;
  metadata: MetadataStore;
  clock: Clock;
  logger: Logger;
}

export class LogManagerProvider implements LogProvider {
  /** A Log holds an appended buffer only until its write completes, which append() awaits. */
  readonly retainsAppendedBuffers = false;
  constructor(
    private readonly manager: LogManager,
    private readonly logDirs: string[],
  ) {}

  /**
   * Starts the LogManager over log.dirs (loading and recovering every log; topic configs come from
   * the metadata store) and removes logs of topics the metadata no longer has (a crash mid-delete).
   */
  static async start({ config, metadata, clock, logger }: LogManagerProviderOptions): Promise<LogManagerProvider> {
    const logDirs = config.logDirs;
    const manager = await LogManager.start({
      logDirs,
      defaultConfig: logConfigFromProperties(new TopicConfig(config).toProperties()),
      configFor: (tp) => {
        const t = metadata.topic(tp.topic);
        return t ? logConfigFromProperties(new TopicConfig(config, t.configs).toProperties()) : undefined;
      },
      clock,
      logger,
      retentionCheckIntervalMs: config.long('log.retention.check.interval.ms'),
      checkpointIntervalMs: config.int('log.flush.offset.checkpoint.interval.ms'),
      cleanerEnabled: config.bool('log.cleaner.enable'),
      cleanerBackoffMs: config.long('log.cleaner.backoff.ms'),
      metaProperties: { version: '0', 'broker.id': String(metadata.nodeId), 'cluster.id': metadata.clusterId },
    });
    for (const { tp } of manager.allLogs()) {
      if (metadata.topic(tp.topic) === undefined) await manager.deleteLog(tp);
    }
    return new LogManagerProvider(manager, logDirs);
  }

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
