/**
 * Kafka client properties (the names in a Java client.properties / --command-config file, or
 * given with --producer-property / --consumer-property / --producer-props) mapped onto the
 * TypeScript client's options. Values are validated here so a typo fails before any connection
 * is made, naming the property. Security settings the client cannot honour yet (TLS, SASL) are an
 * error rather than a silent plaintext connection.
 */
import type { ConsumerOptions } from '../../client/consumer/consumer.js';
import type { ClientOptions } from '../../client/options.js';
import type { Compression, ProducerOptions } from '../../client/producer/producer.js';
import { usageError } from './errors.js';

export type ClientProperties = Map<string, string>;

/** Parses `key=value` (first '=' splits; the value may be empty or contain '='). */
export function parseKeyValue(arg: string, flag: string): [string, string] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw usageError(`${flag} expects key=value, got '${arg}'`);
  return [arg.slice(0, eq).trim(), arg.slice(eq + 1)];
}

export function propertiesFrom(
  args: readonly string[],
  flag: string,
  into: ClientProperties = new Map(),
): ClientProperties {
  for (const a of args) {
    const [k, v] = parseKeyValue(a, flag);
    into.set(k, v);
  }
  return into;
}

const int = (props: ClientProperties, key: string, min = 0): number | undefined => {
  const v = props.get(key);
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  if (!Number.isInteger(n) || n < min)
    throw usageError(`client property ${key}: expected an integer >= ${min}, got '${v}'`);
  return n;
};

const bool = (props: ClientProperties, key: string): boolean | undefined => {
  const v = props.get(key)?.trim().toLowerCase();
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw usageError(`client property ${key}: expected true or false, got '${v}'`);
  return v === 'true';
};

const oneOf = <T extends string>(props: ClientProperties, key: string, allowed: readonly T[]): T | undefined => {
  const v = props.get(key)?.trim().toLowerCase();
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T))
    throw usageError(`client property ${key}: expected one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
};

/** Properties common to every client, and the ones consumed elsewhere (not "unknown"). */
const COMMON = new Set([
  'bootstrap.servers',
  'client.id',
  'request.timeout.ms',
  'socket.connection.setup.timeout.ms',
  'metadata.max.age.ms',
  'retry.backoff.ms',
  'retry.backoff.max.ms',
  'reconnect.backoff.ms',
  'reconnect.backoff.max.ms',
  'security.protocol',
  'client.dns.lookup',
  'default.api.timeout.ms',
]);

const PRODUCER = new Set([
  'acks',
  'enable.idempotence',
  'compression.type',
  'linger.ms',
  'batch.size',
  'buffer.memory',
  'max.block.ms',
  'delivery.timeout.ms',
  'retries',
  'max.in.flight.requests.per.connection',
  'max.request.size',
  'allow.auto.create.topics',
  'key.serializer',
  'value.serializer',
]);

const CONSUMER = new Set([
  'group.id',
  'group.instance.id',
  'session.timeout.ms',
  'heartbeat.interval.ms',
  'max.poll.interval.ms',
  'partition.assignment.strategy',
  'auto.offset.reset',
  'enable.auto.commit',
  'auto.commit.interval.ms',
  'isolation.level',
  'fetch.min.bytes',
  'fetch.max.bytes',
  'fetch.max.wait.ms',
  'max.partition.fetch.bytes',
  'max.poll.records',
  'client.rack',
  'key.deserializer',
  'value.deserializer',
]);

/** Keys no client here understands; the caller warns (Java logs "supplied but isn't a known config"). */
export function unknownProperties(props: ClientProperties): string[] {
  return [...props.keys()].filter((k) => !COMMON.has(k) && !PRODUCER.has(k) && !CONSUMER.has(k));
}

export function clientOptionsFrom(props: ClientProperties, base: ClientOptions): ClientOptions {
  const security = props.get('security.protocol')?.trim().toUpperCase();
  if (security !== undefined && security !== 'PLAINTEXT') {
    throw usageError(`security.protocol=${security} is not supported by the Vltava client yet (only PLAINTEXT)`);
  }
  return {
    ...base,
    clientId: props.get('client.id') ?? base.clientId,
    requestTimeoutMs: int(props, 'request.timeout.ms', 1) ?? base.requestTimeoutMs,
    connectTimeoutMs: int(props, 'socket.connection.setup.timeout.ms', 1) ?? base.connectTimeoutMs,
    metadataMaxAgeMs: int(props, 'metadata.max.age.ms', 0) ?? base.metadataMaxAgeMs,
    retryBackoffMs: int(props, 'retry.backoff.ms') ?? base.retryBackoffMs,
    retryBackoffMaxMs: int(props, 'retry.backoff.max.ms') ?? base.retryBackoffMaxMs,
    reconnectBackoffMs: int(props, 'reconnect.backoff.ms') ?? base.reconnectBackoffMs,
    reconnectBackoffMaxMs: int(props, 'reconnect.backoff.max.ms') ?? base.reconnectBackoffMaxMs,
  };
}

export function parseAcks(v: string): 0 | 1 | -1 {
  const s = v.trim().toLowerCase();
  if (s === 'all' || s === '-1') return -1;
  if (s === '0') return 0;
  if (s === '1') return 1;
  throw usageError(`acks must be all, -1, 0 or 1, got '${v}'`);
}

export const COMPRESSION_CODECS: readonly Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export function producerOptionsFrom(props: ClientProperties, base: ClientOptions): ProducerOptions {
  const acks = props.get('acks');
  const o: ProducerOptions = {
    ...clientOptionsFrom(props, base),
    acks: acks === undefined ? undefined : parseAcks(acks),
    idempotent: bool(props, 'enable.idempotence'),
    compression: oneOf(props, 'compression.type', COMPRESSION_CODECS),
    lingerMs: int(props, 'linger.ms'),
    batchSize: int(props, 'batch.size', 1),
    bufferMemory: int(props, 'buffer.memory', 1),
    maxBlockMs: int(props, 'max.block.ms'),
    deliveryTimeoutMs: int(props, 'delivery.timeout.ms', 1),
    retries: int(props, 'retries'),
    maxInFlightRequestsPerConnection: int(props, 'max.in.flight.requests.per.connection', 1),
    maxRequestSize: int(props, 'max.request.size', 1),
    allowAutoTopicCreation: bool(props, 'allow.auto.create.topics'),
  };
  return dropUndefined(o);
}

export function consumerOptionsFrom(props: ClientProperties, base: ClientOptions): ConsumerOptions {
  const strategies = props.get('partition.assignment.strategy');
  const o: ConsumerOptions = {
    ...clientOptionsFrom(props, base),
    groupId: props.get('group.id'),
    groupInstanceId: props.get('group.instance.id'),
    sessionTimeoutMs: int(props, 'session.timeout.ms', 1),
    heartbeatIntervalMs: int(props, 'heartbeat.interval.ms', 1),
    maxPollIntervalMs: int(props, 'max.poll.interval.ms', 1),
    assignors: strategies === undefined ? undefined : strategies.split(',').map((s) => assignorName(s)),
    autoOffsetReset: oneOf(props, 'auto.offset.reset', ['earliest', 'latest', 'none'] as const),
    enableAutoCommit: bool(props, 'enable.auto.commit'),
    autoCommitIntervalMs: int(props, 'auto.commit.interval.ms', 1),
    isolationLevel: oneOf(props, 'isolation.level', ['read_uncommitted', 'read_committed'] as const),
    fetchMinBytes: int(props, 'fetch.min.bytes'),
    fetchMaxBytes: int(props, 'fetch.max.bytes', 1),
    fetchMaxWaitMs: int(props, 'fetch.max.wait.ms'),
    maxPartitionFetchBytes: int(props, 'max.partition.fetch.bytes', 1),
    maxPollRecords: int(props, 'max.poll.records', 1),
    rackId: props.get('client.rack'),
  };
  return dropUndefined(o);
}

/** Accepts Java class names (org.apache.kafka.clients.consumer.RangeAssignor) as well as short names. */
function assignorName(s: string): 'range' | 'roundrobin' | 'cooperative-sticky' {
  const t = s.trim().toLowerCase();
  if (t === 'range' || t.endsWith('.rangeassignor')) return 'range';
  if (t === 'roundrobin' || t.endsWith('.roundrobinassignor')) return 'roundrobin';
  if (t === 'cooperative-sticky' || t.endsWith('.cooperativestickyassignor')) return 'cooperative-sticky';
  throw usageError(
    `partition.assignment.strategy: unknown assignor '${s.trim()}' (range, roundrobin, cooperative-sticky)`,
  );
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
