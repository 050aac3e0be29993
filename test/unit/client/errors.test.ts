import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientError, isRetriable, KafkaError, needsMetadataRefresh } from '../../../src/client/errors.js';
import { KafkaProtocolError } from '../../../src/protocol/errors.js';

describe('client errors', () => {
  it('KafkaError carries the wire code, Kafka name, retriability, context and a hint', () => {
    const e = new KafkaError(3, { topic: 'orders', partition: 2, api: 'Produce' });
    assert.ok(e instanceof KafkaProtocolError);
    assert.equal(e.code, 3);
    assert.equal(e.name, 'UNKNOWN_TOPIC_OR_PARTITION');
    assert.equal(e.retriable, true);
    assert.equal(e.topic, 'orders');
    assert.match(e.message, /^UNKNOWN_TOPIC_OR_PARTITION \(Produce, topic orders, partition 2\) — create the topic/);
    assert.equal(needsMetadataRefresh(e), true);
  });

  it('non-retriable codes and unknown codes are not retried', () => {
    assert.equal(isRetriable(new KafkaError(36)), false);
    const unknown = new KafkaError(9999);
    assert.equal(unknown.name, 'UNKNOWN_ERROR_CODE_9999');
    assert.equal(unknown.retriable, false);
  });

  it('local errors have stable codes; lost connections and timeouts are retriable', () => {
    assert.equal(new ClientError('ERR_CLIENT_CONNECTION_CLOSED', 'x').retriable, true);
    assert.equal(new ClientError('ERR_CLIENT_REQUEST_TIMEOUT', 'x').retriable, true);
    assert.equal(new ClientError('ERR_CLIENT_ABORTED', 'x').retriable, false);
    assert.equal(new ClientError('ERR_CLIENT_BUFFER_FULL', 'x', { retriable: true }).retriable, true);
    assert.equal(needsMetadataRefresh(new ClientError('ERR_CLIENT_CONNECTION_CLOSED', 'x')), true);
  });
});
