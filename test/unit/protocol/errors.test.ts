import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorByCode, errorByName, errorCode, errorCodes, KafkaProtocolError } from '../../../src/protocol/errors.js';

test('codes and names are unique and cover -1..128', () => {
  assert.equal(new Set(errorCodes.map((e) => e.code)).size, errorCodes.length);
  assert.equal(new Set(errorCodes.map((e) => e.name)).size, errorCodes.length);
  assert.equal(errorByCode(-1)?.name, 'UNKNOWN_SERVER_ERROR');
  assert.equal(errorByCode(0)?.name, 'NONE');
  assert.equal(errorByCode(128)?.name, 'INVALID_REGULAR_EXPRESSION');
});

test('retriable flags follow Kafka (metadata-refresh errors and timeouts retry; fencing does not)', () => {
  for (const name of [
    'NOT_LEADER_OR_FOLLOWER',
    'UNKNOWN_TOPIC_OR_PARTITION',
    'LEADER_NOT_AVAILABLE',
    'REQUEST_TIMED_OUT',
    'NOT_COORDINATOR',
    'COORDINATOR_LOAD_IN_PROGRESS',
    'NOT_ENOUGH_REPLICAS',
    'CORRUPT_MESSAGE',
    'FENCED_LEADER_EPOCH',
    'UNKNOWN_TOPIC_ID',
    'THROTTLING_QUOTA_EXCEEDED',
  ]) {
    assert.equal(errorByName(name)?.retriable, true, name);
  }
  for (const name of [
    'NONE',
    'UNKNOWN_SERVER_ERROR',
    'OFFSET_OUT_OF_RANGE',
    'MESSAGE_TOO_LARGE',
    'PRODUCER_FENCED',
    'INVALID_PRODUCER_EPOCH',
    'REBALANCE_IN_PROGRESS',
    'UNKNOWN_MEMBER_ID',
    'TOPIC_AUTHORIZATION_FAILED',
  ]) {
    assert.equal(errorByName(name)?.retriable, false, name);
  }
});

test('errorCode throws on an unknown name instead of returning a wrong number', () => {
  assert.equal(errorCode('NOT_CONTROLLER'), 41);
  assert.throws(() => errorCode('NOT_A_KAFKA_ERROR'));
});

test('KafkaProtocolError carries code, Kafka name and retriability', () => {
  const e = new KafkaProtocolError('NOT_LEADER_OR_FOLLOWER', 'partition t-0 moved');
  assert.equal(e.code, 6);
  assert.equal(e.name, 'NOT_LEADER_OR_FOLLOWER');
  assert.equal(e.retriable, true);
  assert.equal(e.message, 'partition t-0 moved');
  assert.ok(e instanceof Error);
  const byNumber = new KafkaProtocolError(87);
  assert.equal(byNumber.name, 'INVALID_RECORD');
  assert.equal(byNumber.retriable, false);
  const unknown = new KafkaProtocolError(999);
  assert.equal(unknown.code, 999);
  assert.equal(unknown.retriable, false);
});
