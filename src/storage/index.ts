/**
 * The storage layer's public surface. The broker uses LogManager (disk) or MemoryLog through the
 * PartitionLog interface; everything else here is for tools (dump-log), tests and benchmarks.
 */
export { LogCleaner, type CleanStats, type CleanableInfo } from './cleaner/log-cleaner.js';
export { readOffsetCheckpoint, writeOffsetCheckpoint } from './checkpoint/checkpoint-file.js';
export { readMetaProperties, writeMetaProperties } from './checkpoint/meta-properties.js';
export { DEFAULT_LOG_CONFIG, logConfigFromProperties, makeLogConfig, type CleanupPolicy, type LogConfig } from './config.js';
export { LeaderEpochCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEntry } from './epoch/leader-epoch-cache.js';
export * from './errors.js';
export { Log, type LogOpenOptions } from './log/log.js';
export { CLEAN_SHUTDOWN_FILE, LogManager, type LogManagerOptions } from './log/log-manager.js';
export { deleteOldSegments } from './log/log-retention.js';
export * from './log/types.js';
export { MemoryLog } from './memory/memory-log.js';
export { type TopicPartition, parsePartitionDirName, partitionDirName } from './segment/file-names.js';
