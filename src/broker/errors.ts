/**
 * The one place where local errors (storage, metadata store, config) become Kafka wire error codes.
 * Handlers catch per partition / per resource and call `toErrorCode`; nothing else in the broker
 * invents wire numbers.
 */
import { ConfigError } from '../common/errors.js';
import { errorCode, KafkaProtocolError } from '../protocol/errors.js';
import { RecordBatchError } from '../protocol/records/errors.js';

/** Wire codes the broker uses, resolved once by name (a typo fails at load, not on the wire). */
export const E = {
  NONE: 0,
  UNKNOWN_SERVER_ERROR: errorCode('UNKNOWN_SERVER_ERROR'),
  OFFSET_OUT_OF_RANGE: errorCode('OFFSET_OUT_OF_RANGE'),
  CORRUPT_MESSAGE: errorCode('CORRUPT_MESSAGE'),
  UNKNOWN_TOPIC_OR_PARTITION: errorCode('UNKNOWN_TOPIC_OR_PARTITION'),
  LEADER_NOT_AVAILABLE: errorCode('LEADER_NOT_AVAILABLE'),
  NOT_LEADER_OR_FOLLOWER: errorCode('NOT_LEADER_OR_FOLLOWER'),
  REQUEST_TIMED_OUT: errorCode('REQUEST_TIMED_OUT'),
  MESSAGE_TOO_LARGE: errorCode('MESSAGE_TOO_LARGE'),
  INVALID_TOPIC_EXCEPTION: errorCode('INVALID_TOPIC_EXCEPTION'),
  RECORD_LIST_TOO_LARGE: errorCode('RECORD_LIST_TOO_LARGE'),
  NOT_ENOUGH_REPLICAS: errorCode('NOT_ENOUGH_REPLICAS'),
  INVALID_REQUIRED_ACKS: errorCode('INVALID_REQUIRED_ACKS'),
  INVALID_TIMESTAMP: errorCode('INVALID_TIMESTAMP'),
  UNSUPPORTED_VERSION: errorCode('UNSUPPORTED_VERSION'),
  TOPIC_ALREADY_EXISTS: errorCode('TOPIC_ALREADY_EXISTS'),
  INVALID_PARTITIONS: errorCode('INVALID_PARTITIONS'),
  INVALID_REPLICATION_FACTOR: errorCode('INVALID_REPLICATION_FACTOR'),
  INVALID_REPLICA_ASSIGNMENT: errorCode('INVALID_REPLICA_ASSIGNMENT'),
  INVALID_CONFIG: errorCode('INVALID_CONFIG'),
  INVALID_REQUEST: errorCode('INVALID_REQUEST'),
  UNSUPPORTED_FOR_MESSAGE_FORMAT: errorCode('UNSUPPORTED_FOR_MESSAGE_FORMAT'),
  POLICY_VIOLATION: errorCode('POLICY_VIOLATION'),
  TOPIC_DELETION_DISABLED: errorCode('TOPIC_DELETION_DISABLED'),
  INVALID_RECORD: errorCode('INVALID_RECORD'),
  UNKNOWN_TOPIC_ID: errorCode('UNKNOWN_TOPIC_ID'),
  FETCH_SESSION_ID_NOT_FOUND: errorCode('FETCH_SESSION_ID_NOT_FOUND'),
  INVALID_FETCH_SESSION_EPOCH: errorCode('INVALID_FETCH_SESSION_EPOCH'),
  FENCED_LEADER_EPOCH: errorCode('FENCED_LEADER_EPOCH'),
  UNKNOWN_LEADER_EPOCH: errorCode('UNKNOWN_LEADER_EPOCH'),
  OFFSET_NOT_AVAILABLE: errorCode('OFFSET_NOT_AVAILABLE'),
  KAFKA_STORAGE_ERROR: errorCode('KAFKA_STORAGE_ERROR'),
  INCONSISTENT_TOPIC_ID: errorCode('INCONSISTENT_TOPIC_ID'),
  RESOURCE_NOT_FOUND: errorCode('RESOURCE_NOT_FOUND'),
  THROTTLING_QUOTA_EXCEEDED: errorCode('THROTTLING_QUOTA_EXCEEDED'),
  INVALID_PRODUCER_EPOCH: errorCode('INVALID_PRODUCER_EPOCH'),
  OUT_OF_ORDER_SEQUENCE_NUMBER: errorCode('OUT_OF_ORDER_SEQUENCE_NUMBER'),
  DUPLICATE_SEQUENCE_NUMBER: errorCode('DUPLICATE_SEQUENCE_NUMBER'),
  CLUSTER_AUTHORIZATION_FAILED: errorCode('CLUSTER_AUTHORIZATION_FAILED'),
  TOPIC_AUTHORIZATION_FAILED: errorCode('TOPIC_AUTHORIZATION_FAILED'),
  UNKNOWN_PRODUCER_ID: errorCode('UNKNOWN_PRODUCER_ID'),
  NOT_CONTROLLER: errorCode('NOT_CONTROLLER'),
  INVALID_TXN_STATE: errorCode('INVALID_TXN_STATE'),
  COORDINATOR_NOT_AVAILABLE: errorCode('COORDINATOR_NOT_AVAILABLE'),
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: errorCode('TRANSACTIONAL_ID_AUTHORIZATION_FAILED'),
  PRODUCER_FENCED: errorCode('PRODUCER_FENCED'),
} as const;

/** Storage / metadata error codes (stable strings) to wire codes. */
const BY_LOCAL_CODE: Record<string, number> = {
  ERR_OFFSET_OUT_OF_RANGE: E.OFFSET_OUT_OF_RANGE,
  ERR_CORRUPT_RECORD: E.CORRUPT_MESSAGE,
  ERR_RECORD_TOO_LARGE: E.MESSAGE_TOO_LARGE,
  ERR_INVALID_OFFSET: E.INVALID_REQUEST,
  ERR_LOG_CLOSED: E.NOT_LEADER_OR_FOLLOWER,
  ERR_STORAGE_IO: E.KAFKA_STORAGE_ERROR,
  ERR_INCONSISTENT_LOG_DIR: E.KAFKA_STORAGE_ERROR,
  ERR_TOPIC_EXISTS: E.TOPIC_ALREADY_EXISTS,
  ERR_UNKNOWN_TOPIC: E.UNKNOWN_TOPIC_OR_PARTITION,
  ERR_CONFIG_UNKNOWN_KEY: E.INVALID_CONFIG,
  ERR_CONFIG_INVALID_VALUE: E.INVALID_CONFIG,
  ERR_CONFIG_INVALID: E.INVALID_CONFIG,
  ERR_OUT_OF_ORDER_SEQUENCE: E.OUT_OF_ORDER_SEQUENCE_NUMBER,
  ERR_INVALID_PRODUCER_EPOCH: E.INVALID_PRODUCER_EPOCH,
};

/** Maps any thrown error to a Kafka error code and a message safe to send to clients. */
export function toErrorCode(err: unknown): { code: number; message: string } {
  if (err instanceof KafkaProtocolError) return { code: err.code, message: err.message };
  if (err instanceof ConfigError) return { code: E.INVALID_CONFIG, message: err.message };
  if (err instanceof RecordBatchError) return { code: err.errorCode, message: err.message };
  const local = (err as { code?: unknown } | null)?.code;
  if (typeof local === 'string') {
    const mapped = BY_LOCAL_CODE[local];
    if (mapped !== undefined) return { code: mapped, message: (err as Error).message };
    if (local.startsWith('ERR_CORRUPT')) return { code: E.CORRUPT_MESSAGE, message: (err as Error).message };
    if (/^E[A-Z]+$/.test(local)) return { code: E.KAFKA_STORAGE_ERROR, message: `storage error: ${local}` };
  }
  return { code: E.UNKNOWN_SERVER_ERROR, message: 'unexpected server error' };
}

export { KafkaProtocolError };
