/**
 * Per-log configuration: Kafka's topic-level keys with Kafka's defaults. The broker resolves
 * broker-level `log.*` defaults and topic overrides into one of these and hands it to the Log;
 * `logConfigFromProperties` accepts the topic-level key names (`segment.bytes`, `retention.ms`, ...).
 * "Unlimited" values (Kafka's Long.MAX_VALUE / -1) are `Infinity` here.
 */
export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
export type MessageTimestampType = 'CreateTime' | 'LogAppendTime';

export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  segmentJitterMs: number;
  /** Max bytes of one index file; a full index rolls the segment. */
  segmentIndexBytes: number;
  indexIntervalBytes: number;
  /** fsync after this many messages (1 = every append is fsynced before it resolves). */
  flushMessages: number;
  flushMs: number;
  retentionMs: number;
  retentionBytes: number;
  cleanupPolicy: CleanupPolicy;
  deleteRetentionMs: number;
  minCleanableDirtyRatio: number;
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
  messageTimestampType: MessageTimestampType;
  /** Whether index files are preallocated to segmentIndexBytes while a segment is active (as Kafka does). */
  preallocateIndexes: boolean;
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  segmentJitterMs: 0,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  flushMessages: Number.POSITIVE_INFINITY,
  flushMs: Number.POSITIVE_INFINITY,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: Number.POSITIVE_INFINITY,
  cleanupPolicy: 'delete',
  deleteRetentionMs: 24 * 3600 * 1000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.POSITIVE_INFINITY,
  messageTimestampType: 'CreateTime',
  preallocateIndexes: true,
});

export function makeLogConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}

// Long.MAX_VALUE as a double (2^63); exact integer math is not needed for a threshold.
const LONG_MAX = 2 ** 63;
const num = (v: string, key: string): number => {
  const n = Number(v.trim());
  if (!Number.isFinite(n)) throw new RangeError(`invalid value for ${key}: ${v}`);
  // Kafka's "unlimited" is Long.MAX_VALUE (or -1 for retention); both become Infinity.
  return n >= LONG_MAX ? Number.POSITIVE_INFINITY : n;
};
const unlimitedIfNegative = (n: number): number => (n < 0 ? Number.POSITIVE_INFINITY : n);

/** Builds a LogConfig from Kafka topic-level keys; unknown keys are ignored (the broker validates). */
export function logConfigFromProperties(props: Record<string, string | number | undefined>, base: LogConfig = DEFAULT_LOG_CONFIG): LogConfig {
  const c: LogConfig = { ...base };
  for (const [key, raw] of Object.entries(props)) {
    if (raw === undefined) continue;
    const v = String(raw);
    switch (key) {
      case 'segment.bytes': c.segmentBytes = num(v, key); break;
      case 'segment.ms': c.segmentMs = num(v, key); break;
      case 'segment.jitter.ms': c.segmentJitterMs = num(v, key); break;
      case 'segment.index.bytes': c.segmentIndexBytes = num(v, key); break;
      case 'index.interval.bytes': c.indexIntervalBytes = num(v, key); break;
      case 'flush.messages': c.flushMessages = num(v, key); break;
      case 'flush.ms': c.flushMs = num(v, key); break;
      case 'retention.ms': c.retentionMs = unlimitedIfNegative(num(v, key)); break;
      case 'retention.bytes': c.retentionBytes = unlimitedIfNegative(num(v, key)); break;
      case 'delete.retention.ms': c.deleteRetentionMs = num(v, key); break;
      case 'min.cleanable.dirty.ratio': c.minCleanableDirtyRatio = num(v, key); break;
      case 'min.compaction.lag.ms': c.minCompactionLagMs = num(v, key); break;
      case 'max.compaction.lag.ms': c.maxCompactionLagMs = num(v, key); break;
      case 'preallocate': break; // Kafka's .log preallocation; not used (we append).
      case 'cleanup.policy': {
        const parts = v.split(',').map((s) => s.trim()).filter(Boolean).sort();
        const joined = parts.join(',');
        if (joined !== 'delete' && joined !== 'compact' && joined !== 'compact,delete') {
          throw new RangeError(`invalid value for ${key}: ${v}`);
        }
        c.cleanupPolicy = joined;
        break;
      }
      case 'message.timestamp.type':
        if (v !== 'CreateTime' && v !== 'LogAppendTime') throw new RangeError(`invalid value for ${key}: ${v}`);
        c.messageTimestampType = v;
        break;
      default:
        break;
    }
  }
  return c;
}

export const isCompacted = (c: LogConfig): boolean => c.cleanupPolicy.includes('compact');
export const isDeleteRetention = (c: LogConfig): boolean => c.cleanupPolicy.includes('delete');
