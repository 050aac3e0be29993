/**
 * Wire error codes the group coordinator answers with, resolved once by name from the protocol's
 * error table (a typo fails at load). The broker-wide table (../errors.ts) covers the data path;
 * these are the coordinator's own.
 */
import { errorCode } from '../../protocol/errors.js';

export const G = {
  NONE: 0,
  UNKNOWN_SERVER_ERROR: errorCode('UNKNOWN_SERVER_ERROR'),
  UNKNOWN_TOPIC_OR_PARTITION: errorCode('UNKNOWN_TOPIC_OR_PARTITION'),
  OFFSET_METADATA_TOO_LARGE: errorCode('OFFSET_METADATA_TOO_LARGE'),
  COORDINATOR_LOAD_IN_PROGRESS: errorCode('COORDINATOR_LOAD_IN_PROGRESS'),
  COORDINATOR_NOT_AVAILABLE: errorCode('COORDINATOR_NOT_AVAILABLE'),
  NOT_COORDINATOR: errorCode('NOT_COORDINATOR'),
  ILLEGAL_GENERATION: errorCode('ILLEGAL_GENERATION'),
  INCONSISTENT_GROUP_PROTOCOL: errorCode('INCONSISTENT_GROUP_PROTOCOL'),
  INVALID_GROUP_ID: errorCode('INVALID_GROUP_ID'),
  UNKNOWN_MEMBER_ID: errorCode('UNKNOWN_MEMBER_ID'),
  INVALID_SESSION_TIMEOUT: errorCode('INVALID_SESSION_TIMEOUT'),
  REBALANCE_IN_PROGRESS: errorCode('REBALANCE_IN_PROGRESS'),
  INVALID_COMMIT_OFFSET_SIZE: errorCode('INVALID_COMMIT_OFFSET_SIZE'),
  INVALID_REQUEST: errorCode('INVALID_REQUEST'),
  NON_EMPTY_GROUP: errorCode('NON_EMPTY_GROUP'),
  GROUP_ID_NOT_FOUND: errorCode('GROUP_ID_NOT_FOUND'),
  MEMBER_ID_REQUIRED: errorCode('MEMBER_ID_REQUIRED'),
  GROUP_MAX_SIZE_REACHED: errorCode('GROUP_MAX_SIZE_REACHED'),
  FENCED_INSTANCE_ID: errorCode('FENCED_INSTANCE_ID'),
  GROUP_SUBSCRIBED_TO_TOPIC: errorCode('GROUP_SUBSCRIBED_TO_TOPIC'),
  NOT_LEADER_OR_FOLLOWER: errorCode('NOT_LEADER_OR_FOLLOWER'),
  NOT_ENOUGH_REPLICAS: errorCode('NOT_ENOUGH_REPLICAS'),
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: errorCode('NOT_ENOUGH_REPLICAS_AFTER_APPEND'),
  KAFKA_STORAGE_ERROR: errorCode('KAFKA_STORAGE_ERROR'),
  MESSAGE_TOO_LARGE: errorCode('MESSAGE_TOO_LARGE'),
  RECORD_LIST_TOO_LARGE: errorCode('RECORD_LIST_TOO_LARGE'),
  INVALID_FETCH_SIZE: errorCode('INVALID_FETCH_SIZE'),
  REQUEST_TIMED_OUT: errorCode('REQUEST_TIMED_OUT'),
} as const;

/**
 * How a failed append to __consumer_offsets is reported to the client (Kafka's
 * GroupMetadataManager mapping): the coordinator moved or is unavailable, so the client looks it up
 * again; a record too large is the client's fault for offsets, the server's for group metadata.
 */
export function appendErrorToCoordinatorError(code: number, forOffsets: boolean): number {
  switch (code) {
    case G.NONE:
      return G.NONE;
    case G.UNKNOWN_TOPIC_OR_PARTITION:
    case G.NOT_ENOUGH_REPLICAS:
    case G.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case G.REQUEST_TIMED_OUT:
      return G.COORDINATOR_NOT_AVAILABLE;
    case G.NOT_LEADER_OR_FOLLOWER:
    case G.KAFKA_STORAGE_ERROR:
      return G.NOT_COORDINATOR;
    case G.MESSAGE_TOO_LARGE:
    case G.RECORD_LIST_TOO_LARGE:
    case G.INVALID_FETCH_SIZE:
      return forOffsets ? G.INVALID_COMMIT_OFFSET_SIZE : G.UNKNOWN_SERVER_ERROR;
    default:
      return code;
  }
}
