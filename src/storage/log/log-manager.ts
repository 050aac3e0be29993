/**
 * LogManager: every partition log hosted by this broker, across one or more log dirs.
 *
 * Owns: the Log objects, the per-log-dir checkpoint files, the clean-shutdown marker, and the
 * background tasks (retention, flush.ms, checkpoints, log cleaner) driven by the Clock.
 *
 * On disk, per log dir (Kafka's names and text formats):
 *   meta.properties                      broker/cluster identity
 *   recovery-point-offset-checkpoint     offset below which each log is flushed (skip scan)
 *   log-start-offset-checkpoint          logStartOffset per partition (DeleteRecords, retention)
 *   replication-offset-checkpoint        high watermark per partition
 *   cleaner-offset-checkpoint            first dirty offset per compacted partition
 *   .kafka_cleanshutdown                 present only while the broker is cleanly stopped
 *   <topic>-<partition>/                 one Log each
 *
 * Startup: a dir without the marker had an unclean shutdown, so its logs are recovered from their
 * recovery points. The marker is removed before any append and rewritten at the end of `shutdown()`
 * after every log is flushed and every checkpoint written.
 *
 * Concurrency: background tasks never overlap themselves (each runs to completion before the next
 * tick is honoured); checkpoint writes are chained. Per-log safety is the Log's contract.
 */
import { access, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, type TimerHandle, systemClock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { type OffsetCheckpoint, readOffsetCheckpoint, writeOffsetCheckpoint } from '../checkpoint/checkpoint-file.js';
import { readMetaProperties, writeMetaProperties } from '../checkpoint/meta-properties.js';
import { LogCleaner } from '../cleaner/log-cleaner.js';
import { type LogConfig, isCompacted } from '../config.js';
import { LogClosedError, StorageError } from '../errors.js';
import { type TopicPartition, parsePartitionDirName, partitionDirName, tpKey } from '../segment/file-names.js';
import { Log } from './log.js';
import { deleteOldSegments } from './log-retention.js';

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';

export interface LogManagerOptions {
  logDirs: string[];
  /** Broker-level defaults (log.* keys resolved to a LogConfig). */
  defaultConfig?: Partial<LogConfig>;
  /** Topic overrides for logs found on disk at startup and created later. */
  configFor?: (tp: TopicPartition) => Partial<LogConfig> | undefined;
  clock?: Clock;
  logger?: Pick<Logger, 'warn' | 'info'>;
  /** log.retention.check.interval.ms (Kafka default 300000). */
  retentionCheckIntervalMs?: number;
  /** log.flush.scheduler.interval.ms: how often flush.ms is checked (default 1000). */
  flushCheckIntervalMs?: number;
  /** log.flush.offset.checkpoint.interval.ms (Kafka default 60000). */
  checkpointIntervalMs?: number;
  /** log.cleaner.enable (default true) and log.cleaner.backoff.ms (default 15000). */
  cleanerEnabled?: boolean;
  cleanerBackoffMs?: number;
  /** Written to meta.properties of new log dirs (e.g. { 'broker.id': '0', 'cluster.id': '...' }). */
  metaProperties?: Record<string, string>;
}

interface Task {
  name: string;
  intervalMs: number;
  run: () => Promise<unknown>;
  handle?: TimerHandle;
  running?: Promise<unknown>;
  again?: boolean;
}

export class LogManager {
  private readonly logs = new Map<string, Log>();
  private readonly dirOf = new Map<string, string>();
  private readonly clock: Clock;
  private readonly tasks: Task[] = [];
  private checkpointChain: Promise<void> = Promise.resolve();
  private closed = false;
  readonly cleaner: LogCleaner;
  /** Per log dir: whether the previous run ended cleanly (for tests and metrics). */
  readonly hadCleanShutdown = new Map<string, boolean>();

  private constructor(private readonly opts: LogManagerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.cleaner = new LogCleaner({ clock: this.clock, logger: opts.logger });
  }

  static async start(opts: LogManagerOptions): Promise<LogManager> {
    if (opts.logDirs.length === 0) throw new StorageError('ERR_INCONSISTENT_LOG_DIR', 'no log dirs configured');
    const m = new LogManager(opts);
    for (const dir of opts.logDirs) await m.loadDir(dir);
    m.startTasks();
    return m;
  }

  private configOf(tp: TopicPartition, override?: Partial<LogConfig>): Partial<LogConfig> {
    return { ...this.opts.defaultConfig, ...this.opts.configFor?.(tp), ...override };
  }

  private async loadDir(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    if ((await readMetaProperties(dir)) === null && this.opts.metaProperties) await writeMetaProperties(dir, this.opts.metaProperties, this.clock.now());
    const marker = join(dir, CLEAN_SHUTDOWN_FILE);
    const clean = await access(marker).then(
      () => true,
      () => false,
    );
    this.hadCleanShutdown.set(dir, clean);
    const [recovery, starts, hws, cleanerOffsets] = await Promise.all([
      readOffsetCheckpoint(join(dir, RECOVERY_POINT_CHECKPOINT)),
      readOffsetCheckpoint(join(dir, LOG_START_OFFSET_CHECKPOINT)),
      readOffsetCheckpoint(join(dir, REPLICATION_OFFSET_CHECKPOINT)),
      readOffsetCheckpoint(join(dir, CLEANER_OFFSET_CHECKPOINT)),
    ]);
    for (const name of await readdir(dir, { withFileTypes: true })) {
      if (!name.isDirectory()) continue;
      const tp = parsePartitionDirName(name.name);
      if (tp === null) continue;
      const key = tpKey(tp);
      if (this.logs.has(key)) throw new StorageError('ERR_INCONSISTENT_LOG_DIR', `${key} found in two log dirs`);
      const log = await Log.open({
        dir: join(dir, name.name),
        topicPartition: tp,
        config: this.configOf(tp),
        clock: this.clock,
        logger: this.opts.logger,
        hadCleanShutdown: clean,
        recoveryPoint: recovery.get(key)?.offset ?? 0,
        logStartOffset: starts.get(key)?.offset ?? 0,
        highWatermark: hws.get(key)?.offset ?? 0,
      });
      const dirty = cleanerOffsets.get(key)?.offset;
      if (dirty !== undefined) this.cleaner.setFirstDirtyOffset(log, dirty);
      this.adopt(key, dir, log);
    }
    // From here on a crash is unclean.
    await rm(marker, { force: true });
  }

  private adopt(key: string, dir: string, log: Log): void {
    this.logs.set(key, log);
    this.dirOf.set(key, dir);
  }

  private startTasks(): void {
    const o = this.opts;
    this.addTask('retention', o.retentionCheckIntervalMs ?? 300_000, () => this.runRetention());
    this.addTask('flush', o.flushCheckIntervalMs ?? 1000, () => this.runFlushByTime());
    this.addTask('checkpoint', o.checkpointIntervalMs ?? 60_000, () => this.checkpoint());
    if (o.cleanerEnabled ?? true) this.addTask('cleaner', o.cleanerBackoffMs ?? 15_000, () => this.runCleaner());
  }

  private addTask(name: string, intervalMs: number, run: () => Promise<unknown>): void {
    const task: Task = { name, intervalMs, run };
    const start = (): void => {
      task.running = run()
        .catch((err: unknown) => this.opts.logger?.warn({ err, task: name }, 'storage background task failed'))
        .finally(() => {
          task.running = undefined;
          // Ticks that came while a pass ran collapse into one more pass (never overlapping).
          if (task.again && !this.closed) {
            task.again = false;
            start();
          }
        });
    };
    task.handle = this.clock.setInterval(() => {
      if (this.closed) return;
      if (task.running) task.again = true;
      else start();
    }, intervalMs);
    this.tasks.push(task);
  }

  /** Waits for background task passes in flight (tests driving a ManualClock). */
  async idle(): Promise<void> {
    while (this.tasks.some((t) => t.running)) await Promise.all(this.tasks.map((t) => t.running));
  }

  getLog(tp: TopicPartition): Log | undefined {
    return this.logs.get(tpKey(tp));
  }

  allLogs(): Array<{ tp: TopicPartition; log: Log }> {
    return [...this.logs.values()].map((log) => ({ tp: log.topicPartition, log }));
  }

  /** Returns the partition's log, creating it in the log dir with the fewest partitions. */
  async getOrCreateLog(tp: TopicPartition, config?: Partial<LogConfig>): Promise<Log> {
    if (this.closed) throw new LogClosedError('log manager');
    const key = tpKey(tp);
    const existing = this.logs.get(key);
    if (existing) return existing;
    const counts = new Map(this.opts.logDirs.map((d) => [d, 0]));
    for (const d of this.dirOf.values()) counts.set(d, (counts.get(d) ?? 0) + 1);
    const dir = [...counts.entries()].sort((a, b) => a[1] - b[1])[0]![0];
    const log = await Log.open({
      dir: join(dir, partitionDirName(tp)),
      topicPartition: tp,
      config: this.configOf(tp, config),
      clock: this.clock,
      logger: this.opts.logger,
      hadCleanShutdown: true,
    });
    // Another caller may have created it while we awaited.
    const raced = this.logs.get(key);
    if (raced) {
      await log.close();
      return raced;
    }
    this.adopt(key, dir, log);
    return log;
  }

  /** Applies new topic-level config to a hosted log (retention, flush, compaction take effect on the next pass). */
  updateConfig(tp: TopicPartition, config: Partial<LogConfig>): void {
    const log = this.getLog(tp);
    if (log) log.config = { ...log.config, ...config };
  }

  /** Deletes a partition's log and its directory (topic deletion, reassignment away). */
  async deleteLog(tp: TopicPartition): Promise<void> {
    const key = tpKey(tp);
    const log = this.logs.get(key);
    if (!log) return;
    this.logs.delete(key);
    this.dirOf.delete(key);
    this.cleaner.forget(log);
    await log.delete();
    await this.checkpoint();
  }

  /** One retention pass over every log. Returns the number of segments deleted. */
  async runRetention(): Promise<number> {
    let n = 0;
    for (const log of this.logs.values()) if (!log.isClosed) n += await deleteOldSegments(log);
    return n;
  }

  /** One cleaner pass: compacts the compacted log with the highest dirty ratio above its threshold. */
  async runCleaner(): Promise<boolean> {
    const compacted = [...this.logs.values()].filter((l) => !l.isClosed && isCompacted(l.config));
    const cleaned = await this.cleaner.cleanDirtiest(compacted);
    if (cleaned) await this.checkpoint();
    return cleaned;
  }

  private async runFlushByTime(): Promise<void> {
    for (const log of this.logs.values()) await log.maybeFlushByTime();
  }

  /** Writes all four offset checkpoints of every log dir. */
  checkpoint(): Promise<void> {
    this.checkpointChain = this.checkpointChain
      .catch(() => undefined)
      .then(async () => {
        for (const dir of this.opts.logDirs) {
          const logs = [...this.logs.entries()].filter(([k]) => this.dirOf.get(k) === dir).map(([, l]) => l);
          const entries = (f: (l: Log) => number | undefined) =>
            logs.flatMap((l) => {
              const offset = f(l);
              return offset === undefined ? [] : [{ tp: l.topicPartition, offset }];
            });
          await writeOffsetCheckpoint(join(dir, RECOVERY_POINT_CHECKPOINT), entries((l) => l.recoveryPoint));
          await writeOffsetCheckpoint(join(dir, LOG_START_OFFSET_CHECKPOINT), entries((l) => l.logStartOffset));
          await writeOffsetCheckpoint(join(dir, REPLICATION_OFFSET_CHECKPOINT), entries((l) => l.highWatermark));
          await writeOffsetCheckpoint(join(dir, CLEANER_OFFSET_CHECKPOINT), entries((l) => this.cleaner.firstDirtyOffsetOf(l)));
        }
      });
    return this.checkpointChain;
  }

  /** Clean shutdown: stop tasks, close (flush) every log, write checkpoints, then the marker. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.tasks) t.handle?.cancel();
    this.cleaner.stop();
    await this.idle();
    for (const log of this.logs.values()) await log.close();
    await this.checkpoint();
    for (const dir of this.opts.logDirs) await writeFile(join(dir, CLEAN_SHUTDOWN_FILE), '{"version":0,"brokerEpoch":-1}');
  }
}

export type { OffsetCheckpoint };
