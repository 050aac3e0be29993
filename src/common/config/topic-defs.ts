/**
 * Topic-level configs (Kafka's LogConfig), each with the broker configs that supply its value when
 * the topic has no override ("synonyms", in DescribeConfigs order: most specific first) and the
 * conversion from the synonym's unit (log.retention.hours -> retention.ms).
 */
import {
  atLeast,
  between,
  type ConfigDef,
  LONG_MAX_TEXT,
  listOf,
  oneOf,
  type ParsedValue,
} from './types.js';

export interface BrokerSynonym {
  name: string;
  /** Multiplier from the broker config's unit to the topic config's unit (hours -> ms = 3_600_000). */
  scale?: number;
}

export interface TopicConfigDef extends ConfigDef {
  synonyms: BrokerSynonym[];
}

export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];
export const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'];

const HOUR = 3_600_000;
const MINUTE = 60_000;

const defs: TopicConfigDef[] = [
  { name: 'cleanup.policy', type: 'list', default: 'delete', validator: listOf(['compact', 'delete'], true), synonyms: [{ name: 'log.cleanup.policy' }] },
  { name: 'compression.type', type: 'string', default: 'producer', validator: oneOf(COMPRESSION_TYPES), synonyms: [{ name: 'compression.type' }] },
  { name: 'compression.gzip.level', type: 'int', default: '-1', validator: (v) => (v !== -1 && ((v as number) < 1 || (v as number) > 9) ? 'must be -1 or in [1,...,9]' : undefined), synonyms: [{ name: 'compression.gzip.level' }] },
  { name: 'compression.lz4.level', type: 'int', default: '9', validator: between(1, 17), synonyms: [{ name: 'compression.lz4.level' }] },
  { name: 'compression.zstd.level', type: 'int', default: '3', validator: between(-131072, 22), synonyms: [{ name: 'compression.zstd.level' }] },
  { name: 'delete.retention.ms', type: 'long', default: '86400000', validator: atLeast(0), synonyms: [{ name: 'log.cleaner.delete.retention.ms' }] },
  { name: 'file.delete.delay.ms', type: 'long', default: '60000', validator: atLeast(0), synonyms: [{ name: 'log.segment.delete.delay.ms' }] },
  { name: 'flush.messages', type: 'long', default: LONG_MAX_TEXT, validator: atLeast(1), synonyms: [{ name: 'log.flush.interval.messages' }] },
  { name: 'flush.ms', type: 'long', default: LONG_MAX_TEXT, validator: atLeast(0), synonyms: [{ name: 'log.flush.interval.ms' }] },
  { name: 'follower.replication.throttled.replicas', type: 'list', default: '', synonyms: [{ name: 'follower.replication.throttled.replicas' }] },
  { name: 'index.interval.bytes', type: 'int', default: '4096', validator: atLeast(0), synonyms: [{ name: 'log.index.interval.bytes' }] },
  { name: 'leader.replication.throttled.replicas', type: 'list', default: '', synonyms: [{ name: 'leader.replication.throttled.replicas' }] },
  { name: 'local.retention.bytes', type: 'long', default: '-2', validator: atLeast(-2), synonyms: [{ name: 'log.local.retention.bytes' }] },
  { name: 'local.retention.ms', type: 'long', default: '-2', validator: atLeast(-2), synonyms: [{ name: 'log.local.retention.ms' }] },
  { name: 'max.compaction.lag.ms', type: 'long', default: LONG_MAX_TEXT, validator: atLeast(1), synonyms: [{ name: 'log.cleaner.max.compaction.lag.ms' }] },
  { name: 'max.message.bytes', type: 'int', default: '1048588', validator: atLeast(0), synonyms: [{ name: 'message.max.bytes' }] },
  { name: 'message.timestamp.after.max.ms', type: 'long', default: '3600000', validator: atLeast(0), synonyms: [{ name: 'log.message.timestamp.after.max.ms' }] },
  { name: 'message.timestamp.before.max.ms', type: 'long', default: LONG_MAX_TEXT, validator: atLeast(0), synonyms: [{ name: 'log.message.timestamp.before.max.ms' }] },
  // Removed in Kafka 4.0 but still sent by older admin tools; accepted so their requests do not fail.
  { name: 'message.timestamp.difference.max.ms', type: 'long', default: LONG_MAX_TEXT, validator: atLeast(0), synonyms: [{ name: 'log.message.timestamp.difference.max.ms' }], ignored: true },
  { name: 'message.timestamp.type', type: 'string', default: 'CreateTime', validator: oneOf(TIMESTAMP_TYPES), synonyms: [{ name: 'log.message.timestamp.type' }] },
  { name: 'min.cleanable.dirty.ratio', type: 'double', default: '0.5', validator: between(0, 1), synonyms: [{ name: 'log.cleaner.min.cleanable.ratio' }] },
  { name: 'min.compaction.lag.ms', type: 'long', default: '0', validator: atLeast(0), synonyms: [{ name: 'log.cleaner.min.compaction.lag.ms' }] },
  { name: 'min.insync.replicas', type: 'int', default: '1', validator: atLeast(1), synonyms: [{ name: 'min.insync.replicas' }] },
  { name: 'preallocate', type: 'boolean', default: 'false', synonyms: [{ name: 'log.preallocate' }] },
  { name: 'remote.storage.enable', type: 'boolean', default: 'false', synonyms: [], ignored: true },
  { name: 'retention.bytes', type: 'long', default: '-1', synonyms: [{ name: 'log.retention.bytes' }] },
  {
    name: 'retention.ms',
    type: 'long',
    default: '604800000',
    validator: atLeast(-1),
    synonyms: [{ name: 'log.retention.ms' }, { name: 'log.retention.minutes', scale: MINUTE }, { name: 'log.retention.hours', scale: HOUR }],
  },
  { name: 'segment.bytes', type: 'int', default: '1073741824', validator: atLeast(1024 * 1024), synonyms: [{ name: 'log.segment.bytes' }] },
  { name: 'segment.index.bytes', type: 'int', default: '10485760', validator: atLeast(4), synonyms: [{ name: 'log.index.size.max.bytes' }] },
  { name: 'segment.jitter.ms', type: 'long', default: '0', validator: atLeast(0), synonyms: [{ name: 'log.roll.jitter.ms' }, { name: 'log.roll.jitter.hours', scale: HOUR }] },
  { name: 'segment.ms', type: 'long', default: '604800000', validator: atLeast(1), synonyms: [{ name: 'log.roll.ms' }, { name: 'log.roll.hours', scale: HOUR }] },
  { name: 'unclean.leader.election.enable', type: 'boolean', default: 'false', synonyms: [{ name: 'unclean.leader.election.enable' }] },
];

export const TOPIC_CONFIG_DEFS: ReadonlyMap<string, TopicConfigDef> = new Map(defs.map((d) => [d.name, d]));

/** Converts a broker synonym's parsed value into the topic config's unit. */
export function fromSynonym(syn: BrokerSynonym, value: ParsedValue): ParsedValue {
  if (syn.scale === undefined || value.value === null) return value;
  const n = (value.value as number) * syn.scale;
  // Negative means "unlimited" for retention; keep it as -1 rather than -3600000.
  const v = (value.value as number) < 0 ? -1 : n;
  return { value: v, text: String(v) };
}
