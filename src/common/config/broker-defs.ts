/**
 * Broker configs (Kafka's KafkaConfig) with Kafka's names, types and defaults. Deviations from
 * Kafka, on purpose: `log.dir` defaults to ./data (the README's start command), and KRaft-only and
 * security settings are accepted (so a Kafka server.properties loads) but flagged `ignored`.
 * Every broker synonym of a topic config is dynamic cluster-wide, as in Kafka's DynamicLogConfig.
 */
import { TOPIC_CONFIG_DEFS, COMPRESSION_TYPES, TIMESTAMP_TYPES } from './topic-defs.js';
import { atLeast, between, type ConfigDef, LONG_MAX_TEXT, listOf, nonEmptyString, oneOf, type Validator } from './types.js';

const INT_MAX = String(2 ** 31 - 1);

const LISTENER_RE = /^([A-Za-z_][A-Za-z0-9_]*):\/\/(\[[^\]]*\]|[^:/]*):(\d{1,5})$/;

export interface ListenerSpec {
  name: string;
  host: string;
  port: number;
}

/** Parses 'NAME://host:port' (host may be empty = all interfaces, or a bracketed IPv6 literal). */
export function parseListener(text: string): ListenerSpec | undefined {
  const m = LISTENER_RE.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  return { name: m[1]!.toUpperCase(), host, port };
}

function listenerList(allowEmpty: boolean): Validator {
  return (v) => {
    if (v === null) return undefined;
    const items = v as string[];
    if (items.length === 0 && !allowEmpty) return 'must name at least one listener';
    const bad = items.find((i) => parseListener(i) === undefined);
    if (bad !== undefined) return `'${bad}' is not a listener of the form NAME://host:port`;
    const names = items.map((i) => parseListener(i)!.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    return dup !== undefined ? `listener name ${dup} appears more than once` : undefined;
  };
}

const defs: ConfigDef[] = [
  // ---- identity and listeners ----
  { name: 'broker.id', type: 'int', default: '-1', validator: atLeast(-1) },
  { name: 'node.id', type: 'int', default: '-1', validator: atLeast(-1) },
  { name: 'broker.id.generation.enable', type: 'boolean', default: 'true' },
  { name: 'reserved.broker.max.id', type: 'int', default: '1000', validator: atLeast(0) },
  { name: 'broker.rack', type: 'string', default: null },
  { name: 'listeners', type: 'list', default: 'PLAINTEXT://:9092', validator: listenerList(false) },
  { name: 'advertised.listeners', type: 'list', default: null, validator: listenerList(true), dynamic: 'per-broker' },
  {
    name: 'listener.security.protocol.map',
    type: 'string',
    default: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    dynamic: 'per-broker',
  },
  { name: 'inter.broker.listener.name', type: 'string', default: null },
  { name: 'security.inter.broker.protocol', type: 'string', default: 'PLAINTEXT', validator: oneOf(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']) },
  { name: 'process.roles', type: 'list', default: '', ignored: true },
  { name: 'controller.listener.names', type: 'string', default: null, ignored: true },
  { name: 'controller.quorum.voters', type: 'list', default: '', ignored: true },
  { name: 'controller.quorum.bootstrap.servers', type: 'list', default: '', ignored: true },
  { name: 'zookeeper.connect', type: 'string', default: null },
  { name: 'zookeeper.session.timeout.ms', type: 'int', default: '18000' },
  { name: 'zookeeper.connection.timeout.ms', type: 'int', default: null },
  { name: 'zookeeper.max.in.flight.requests', type: 'int', default: '10', validator: atLeast(1) },

  // ---- storage ----
  { name: 'log.dirs', type: 'list', default: null },
  { name: 'log.dir', type: 'string', default: './data', validator: nonEmptyString() },
  { name: 'num.partitions', type: 'int', default: '1', validator: atLeast(1) },
  { name: 'default.replication.factor', type: 'int', default: '1', validator: atLeast(1) },
  { name: 'auto.create.topics.enable', type: 'boolean', default: 'true' },
  { name: 'delete.topic.enable', type: 'boolean', default: 'true' },
  { name: 'log.retention.hours', type: 'int', default: '168' },
  { name: 'log.retention.minutes', type: 'int', default: null },
  { name: 'log.retention.ms', type: 'long', default: null },
  { name: 'log.retention.bytes', type: 'long', default: '-1' },
  { name: 'log.retention.check.interval.ms', type: 'long', default: '300000', validator: atLeast(1) },
  { name: 'log.segment.bytes', type: 'int', default: '1073741824', validator: atLeast(1024 * 1024) },
  { name: 'log.roll.ms', type: 'long', default: null },
  { name: 'log.roll.hours', type: 'int', default: '168', validator: atLeast(1) },
  { name: 'log.roll.jitter.ms', type: 'long', default: null },
  { name: 'log.roll.jitter.hours', type: 'int', default: '0', validator: atLeast(0) },
  { name: 'log.flush.interval.messages', type: 'long', default: LONG_MAX_TEXT, validator: atLeast(1) },
  { name: 'log.flush.interval.ms', type: 'long', default: null },
  { name: 'log.flush.scheduler.interval.ms', type: 'long', default: LONG_MAX_TEXT },
  { name: 'log.flush.offset.checkpoint.interval.ms', type: 'int', default: '60000', validator: atLeast(0) },
  { name: 'log.flush.start.offset.checkpoint.interval.ms', type: 'int', default: '60000', validator: atLeast(0) },
  { name: 'log.cleanup.policy', type: 'list', default: 'delete', validator: listOf(['compact', 'delete'], true) },
  { name: 'log.index.interval.bytes', type: 'int', default: '4096', validator: atLeast(0) },
  { name: 'log.index.size.max.bytes', type: 'int', default: '10485760', validator: atLeast(4) },
  { name: 'log.preallocate', type: 'boolean', default: 'false' },
  { name: 'log.segment.delete.delay.ms', type: 'long', default: '60000', validator: atLeast(0) },
  { name: 'log.message.timestamp.type', type: 'string', default: 'CreateTime', validator: oneOf(TIMESTAMP_TYPES) },
  { name: 'log.message.timestamp.before.max.ms', type: 'long', default: LONG_MAX_TEXT, validator: atLeast(0) },
  { name: 'log.message.timestamp.after.max.ms', type: 'long', default: '3600000', validator: atLeast(0) },
  { name: 'log.message.timestamp.difference.max.ms', type: 'long', default: LONG_MAX_TEXT, validator: atLeast(0), ignored: true },
  { name: 'log.local.retention.ms', type: 'long', default: '-2', validator: atLeast(-2) },
  { name: 'log.local.retention.bytes', type: 'long', default: '-2', validator: atLeast(-2) },
  { name: 'log.cleaner.enable', type: 'boolean', default: 'true' },
  { name: 'log.cleaner.threads', type: 'int', default: '1', validator: atLeast(0), dynamic: 'cluster-wide' },
  { name: 'log.cleaner.delete.retention.ms', type: 'long', default: '86400000', validator: atLeast(0) },
  { name: 'log.cleaner.min.cleanable.ratio', type: 'double', default: '0.5', validator: between(0, 1) },
  { name: 'log.cleaner.min.compaction.lag.ms', type: 'long', default: '0', validator: atLeast(0) },
  { name: 'log.cleaner.max.compaction.lag.ms', type: 'long', default: LONG_MAX_TEXT, validator: atLeast(1) },
  { name: 'log.cleaner.backoff.ms', type: 'long', default: '15000', validator: atLeast(0), dynamic: 'cluster-wide' },
  { name: 'log.cleaner.dedupe.buffer.size', type: 'long', default: '134217728', dynamic: 'cluster-wide' },
  { name: 'log.cleaner.io.buffer.size', type: 'int', default: '524288', validator: atLeast(0), dynamic: 'cluster-wide' },
  { name: 'log.cleaner.io.max.bytes.per.second', type: 'double', default: '1.7976931348623157E308', dynamic: 'cluster-wide' },
  { name: 'num.recovery.threads.per.data.dir', type: 'int', default: '2', validator: atLeast(1), dynamic: 'cluster-wide', ignored: true },
  { name: 'message.max.bytes', type: 'int', default: '1048588', validator: atLeast(0) },
  { name: 'compression.type', type: 'string', default: 'producer', validator: oneOf(COMPRESSION_TYPES) },
  { name: 'compression.gzip.level', type: 'int', default: '-1' },
  { name: 'compression.lz4.level', type: 'int', default: '9', validator: between(1, 17) },
  { name: 'compression.zstd.level', type: 'int', default: '3', validator: between(-131072, 22) },
  { name: 'min.insync.replicas', type: 'int', default: '1', validator: atLeast(1) },
  { name: 'unclean.leader.election.enable', type: 'boolean', default: 'false' },
  { name: 'follower.replication.throttled.replicas', type: 'list', default: '' },
  { name: 'leader.replication.throttled.replicas', type: 'list', default: '' },
  { name: 'fetch.max.bytes', type: 'int', default: '57671680', validator: atLeast(1024) },

  // ---- network ----
  { name: 'socket.request.max.bytes', type: 'int', default: '104857600', validator: atLeast(1) },
  { name: 'socket.send.buffer.bytes', type: 'int', default: '102400' },
  { name: 'socket.receive.buffer.bytes', type: 'int', default: '102400' },
  { name: 'socket.listen.backlog.size', type: 'int', default: '50', validator: atLeast(1) },
  { name: 'connections.max.idle.ms', type: 'long', default: '600000' },
  { name: 'max.connections', type: 'int', default: INT_MAX, validator: atLeast(0), dynamic: 'cluster-wide' },
  { name: 'max.connections.per.ip', type: 'int', default: INT_MAX, validator: atLeast(0), dynamic: 'cluster-wide' },
  { name: 'queued.max.requests', type: 'int', default: '500', validator: atLeast(1) },
  { name: 'num.network.threads', type: 'int', default: '3', validator: atLeast(1), dynamic: 'cluster-wide', ignored: true },
  { name: 'num.io.threads', type: 'int', default: '8', validator: atLeast(1), dynamic: 'cluster-wide', ignored: true },
  { name: 'background.threads', type: 'int', default: '10', validator: atLeast(1), dynamic: 'cluster-wide', ignored: true },
  { name: 'request.timeout.ms', type: 'int', default: '30000', validator: atLeast(0) },

  // ---- groups and offsets ----
  { name: 'offsets.topic.num.partitions', type: 'int', default: '50', validator: atLeast(1) },
  { name: 'offsets.topic.replication.factor', type: 'short', default: '3', validator: atLeast(1) },
  { name: 'offsets.topic.segment.bytes', type: 'int', default: '104857600', validator: atLeast(1) },
  { name: 'offsets.retention.minutes', type: 'int', default: '10080', validator: atLeast(1) },
  { name: 'offsets.retention.check.interval.ms', type: 'long', default: '600000', validator: atLeast(1) },
  { name: 'offsets.commit.timeout.ms', type: 'int', default: '5000', validator: atLeast(1) },
  { name: 'offsets.load.buffer.size', type: 'int', default: '5242880', validator: atLeast(1) },
  { name: 'offset.metadata.max.bytes', type: 'int', default: '4096' },
  { name: 'group.initial.rebalance.delay.ms', type: 'int', default: '3000' },
  { name: 'group.min.session.timeout.ms', type: 'int', default: '6000' },
  { name: 'group.max.session.timeout.ms', type: 'int', default: '1800000' },
  { name: 'group.max.size', type: 'int', default: INT_MAX, validator: atLeast(1) },
  { name: 'transaction.state.log.num.partitions', type: 'int', default: '50', validator: atLeast(1) },
  { name: 'transaction.state.log.replication.factor', type: 'short', default: '3', validator: atLeast(1) },
  { name: 'transaction.state.log.min.isr', type: 'int', default: '2', validator: atLeast(1) },
  { name: 'transaction.state.log.segment.bytes', type: 'int', default: '104857600', validator: atLeast(1) },
  { name: 'transaction.max.timeout.ms', type: 'int', default: '900000', validator: atLeast(1) },
  { name: 'transactional.id.expiration.ms', type: 'int', default: '604800000', validator: atLeast(1) },
  { name: 'producer.id.expiration.ms', type: 'int', default: '86400000', validator: atLeast(1) },
  { name: 'share.coordinator.state.topic.replication.factor', type: 'short', default: '3', validator: atLeast(1), ignored: true },
  { name: 'share.coordinator.state.topic.min.isr', type: 'short', default: '2', validator: atLeast(1), ignored: true },

  // ---- replication and leadership ----
  { name: 'replica.lag.time.max.ms', type: 'long', default: '30000' },
  { name: 'replica.fetch.max.bytes', type: 'int', default: '1048576', validator: atLeast(0) },
  { name: 'replica.fetch.min.bytes', type: 'int', default: '1' },
  { name: 'replica.fetch.wait.max.ms', type: 'int', default: '500' },
  { name: 'replica.fetch.backoff.ms', type: 'int', default: '1000', validator: atLeast(0) },
  { name: 'replica.fetch.response.max.bytes', type: 'int', default: '10485760', validator: atLeast(0) },
  { name: 'replica.socket.timeout.ms', type: 'int', default: '30000' },
  { name: 'replica.socket.receive.buffer.bytes', type: 'int', default: '65536' },
  { name: 'replica.high.watermark.checkpoint.interval.ms', type: 'long', default: '5000' },
  { name: 'replica.selector.class', type: 'class', default: null },
  { name: 'num.replica.fetchers', type: 'int', default: '1', dynamic: 'cluster-wide' },
  { name: 'auto.leader.rebalance.enable', type: 'boolean', default: 'true' },
  { name: 'leader.imbalance.per.broker.percentage', type: 'int', default: '10' },
  { name: 'leader.imbalance.check.interval.seconds', type: 'long', default: '300', validator: atLeast(1) },
  { name: 'controlled.shutdown.enable', type: 'boolean', default: 'true' },
];

// Broker synonyms of topic configs are cluster-wide dynamic (Kafka's DynamicLogConfig).
const topicSynonyms = new Set([...TOPIC_CONFIG_DEFS.values()].flatMap((d) => d.synonyms.map((s) => s.name)));
for (const d of defs) if (topicSynonyms.has(d.name) && d.dynamic === undefined) d.dynamic = 'cluster-wide';

export const BROKER_CONFIG_DEFS: ReadonlyMap<string, ConfigDef> = new Map(defs.map((d) => [d.name, d]));

/**
 * Name prefixes accepted and ignored (listener-scoped and security settings, metric reporters), so
 * a Kafka server.properties carrying them still starts; each is logged as ignored.
 */
export const IGNORED_PREFIXES = ['listener.name.', 'ssl.', 'sasl.', 'metric.', 'metrics.', 'kafka.metrics.', 'authorizer.', 'super.users', 'principal.builder.', 'security.', 'group.coordinator.', 'group.consumer.', 'group.share.', 'share.', 'remote.log.', 'log4j.', 'confluent.', 'quota.', 'client.quota.', 'auto.include.jmx.reporter', 'metadata.', 'controller.'];
