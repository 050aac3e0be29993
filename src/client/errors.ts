/**
 * Client errors. Two families, both carrying `retriable` so retry loops ask one question:
 *  - KafkaError: the broker answered with a Kafka error code (reuses protocol/errors.ts, so
 *    `code` is the wire number and `name` Kafka's name, e.g. NOT_LEADER_OR_FOLLOWER), plus the
 *    topic/partition/group it concerns and a hint saying what the caller can do about it.
 *  - ClientError: something local went wrong (connection closed, timeout, aborted, buffer full,
 *    closed client) with a stable string `code` (ERR_CLIENT_*) for callers to match on.
 */
import { VltavaError } from '../common/errors.js';
import { KafkaProtocolError } from '../protocol/errors.js';

export type ClientErrorCode =
  | 'ERR_CLIENT_CONNECTION_CLOSED'
  | 'ERR_CLIENT_CONNECT_FAILED'
  | 'ERR_CLIENT_REQUEST_TIMEOUT'
  | 'ERR_CLIENT_ABORTED'
  | 'ERR_CLIENT_CLOSED'
  | 'ERR_CLIENT_UNSUPPORTED_VERSION'
  | 'ERR_CLIENT_NO_BROKERS'
  | 'ERR_CLIENT_BUFFER_FULL'
  | 'ERR_CLIENT_DELIVERY_TIMEOUT'
  | 'ERR_CLIENT_INVALID_ARGUMENT'
  | 'ERR_CLIENT_RECORD_TOO_LARGE'
  | 'ERR_CLIENT_NOT_SUBSCRIBED'
  | 'ERR_CLIENT_REBALANCE'
  | 'ERR_CLIENT_PROTOCOL';

const RETRIABLE_LOCAL: ReadonlySet<ClientErrorCode> = new Set([
  'ERR_CLIENT_CONNECTION_CLOSED',
  'ERR_CLIENT_CONNECT_FAILED',
  'ERR_CLIENT_REQUEST_TIMEOUT',
]);

export class ClientError extends VltavaError {
  readonly retriable: boolean;
  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super(code, message, options);
    this.name = 'ClientError';
    this.retriable = options?.retriable ?? RETRIABLE_LOCAL.has(code);
  }
}

/** Hints for the codes a user can do something about; the rest speak for themselves. */
const HINTS: Record<string, string> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'create the topic or enable auto.create.topics.enable on the broker',
  TOPIC_ALREADY_EXISTS: 'the topic exists; describe it or pick another name',
  MESSAGE_TOO_LARGE: 'lower batch.size or raise the topic max.message.bytes',
  RECORD_LIST_TOO_LARGE: 'lower batch.size or raise the topic max.message.bytes',
  INVALID_REPLICATION_FACTOR: 'the replication factor exceeds the number of brokers',
  INVALID_PARTITIONS: 'partition counts must be positive and can only grow',
  OFFSET_OUT_OF_RANGE: 'set auto.offset.reset (earliest/latest) or seek to a valid offset',
  UNSUPPORTED_VERSION: 'the broker does not support a version this client can send',
  INVALID_SESSION_TIMEOUT: 'session.timeout.ms is outside the broker group.min/max.session.timeout.ms',
  GROUP_ID_NOT_FOUND: 'no such group',
  NON_EMPTY_GROUP: 'stop the group members first',
  UNKNOWN_MEMBER_ID: 'the member was removed from the group (session timeout); it rejoins',
  OUT_OF_ORDER_SEQUENCE_NUMBER: 'the idempotent producer lost track of a sequence; recreate the producer',
  INVALID_REQUIRED_ACKS: 'acks must be 0, 1 or -1 (all)',
};

export interface KafkaErrorContext {
  topic?: string;
  partition?: number;
  groupId?: string;
  /** The broker's error_message, when the response has one. */
  serverMessage?: string | null;
  api?: string;
}

export class KafkaError extends KafkaProtocolError {
  readonly topic?: string;
  readonly partition?: number;
  readonly groupId?: string;
  readonly serverMessage?: string | null;

  constructor(code: number, context: KafkaErrorContext = {}, options?: { cause?: unknown }) {
    const probe = new KafkaProtocolError(code);
    const where = [
      context.api,
      context.topic !== undefined ? `topic ${context.topic}` : undefined,
      context.partition !== undefined ? `partition ${context.partition}` : undefined,
      context.groupId !== undefined ? `group ${context.groupId}` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    const hint = HINTS[probe.name];
    const msg = `${probe.name}${where ? ` (${where})` : ''}${context.serverMessage ? `: ${context.serverMessage}` : ''}${hint ? ` — ${hint}` : ''}`;
    super(code, msg, options);
    this.topic = context.topic;
    this.partition = context.partition;
    this.groupId = context.groupId;
    this.serverMessage = context.serverMessage;
  }
}

/** Kafka error names that mean "your metadata is stale": refresh, then retry. */
const METADATA_ERRORS = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'REPLICA_NOT_AVAILABLE',
  'KAFKA_STORAGE_ERROR',
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_CONTROLLER',
]);

export function isRetriable(err: unknown): boolean {
  return (err as { retriable?: boolean } | null)?.retriable === true;
}

export function needsMetadataRefresh(err: unknown): boolean {
  if (err instanceof KafkaProtocolError) return METADATA_ERRORS.has(err.name);
  return (
    err instanceof ClientError &&
    (err.code === 'ERR_CLIENT_CONNECTION_CLOSED' || err.code === 'ERR_CLIENT_CONNECT_FAILED')
  );
}

/** Throws a KafkaError when `code` is not NONE. */
export function check(code: number, context?: KafkaErrorContext): void {
  if (code !== 0) throw new KafkaError(code, context);
}
