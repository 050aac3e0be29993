import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokerConfig } from '../../../../src/common/config/broker-config.js';
import { TopicConfig, validateTopicConfigs } from '../../../../src/common/config/topic-config.js';
import { ConfigSource } from '../../../../src/common/config/types.js';

describe('TopicConfig', () => {
  it("resolves Kafka's defaults through the broker synonyms", () => {
    const t = new TopicConfig(BrokerConfig.of());
    assert.equal(t.retentionMs, 604800000);
    assert.equal(t.segmentBytes, 1073741824);
    assert.equal(t.maxMessageBytes, 1048588);
    assert.deepEqual(t.cleanupPolicy, ['delete']);
    assert.equal(t.messageTimestampType, 'CreateTime');
    assert.equal(t.flushMessages, 2 ** 63);
    const ret = t.describe(true).find((e) => e.name === 'retention.ms')!;
    assert.equal(ret.value, '604800000');
    assert.equal(ret.source, ConfigSource.DEFAULT_CONFIG);
    assert.deepEqual(ret.synonyms, [
      { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
    ]);
  });

  it('converts broker units and prefers the most specific layer', () => {
    const b = BrokerConfig.of({ 'log.retention.minutes': 5, 'log.roll.hours': 2, 'message.max.bytes': 5000 });
    const t = new TopicConfig(b);
    assert.equal(t.retentionMs, 300_000);
    assert.equal(t.segmentMs, 7_200_000);
    assert.equal(t.maxMessageBytes, 5000);
    const e = t.describe(false).find((x) => x.name === 'retention.ms')!;
    assert.equal(e.source, ConfigSource.STATIC_BROKER_CONFIG);
    b.setDynamic('default', new Map([['log.retention.ms', '1234']]));
    assert.equal(new TopicConfig(b).retentionMs, 1234);
  });

  it('topic overrides win and appear first among synonyms', () => {
    const t = new TopicConfig(
      BrokerConfig.of(),
      validateTopicConfigs({ 'retention.ms': '1000', 'cleanup.policy': 'compact,delete' }),
    );
    assert.equal(t.retentionMs, 1000);
    assert.equal(t.compacted, true);
    const e = t.describe(true).find((x) => x.name === 'retention.ms')!;
    assert.equal(e.source, ConfigSource.TOPIC_CONFIG);
    assert.equal(e.synonyms[0]!.source, ConfigSource.TOPIC_CONFIG);
    assert.equal(e.readOnly, false);
  });

  it('validates names and values of topic configs', () => {
    assert.throws(
      () => validateTopicConfigs({ 'retention.mss': '1' }),
      /Unknown topic config name: retention.mss \(did you mean 'retention.ms'\?\)/,
    );
    assert.throws(() => validateTopicConfigs({ 'cleanup.policy': 'shred' }), /'shred' is not one of/);
    assert.throws(() => validateTopicConfigs({ 'min.cleanable.dirty.ratio': '2' }), /must be in/);
    assert.throws(() => validateTopicConfigs({ 'message.timestamp.type': 'Now' }), /must be one of/);
    assert.deepEqual(
      validateTopicConfigs({ 'min.cleanable.dirty.ratio': '1' }),
      new Map([['min.cleanable.dirty.ratio', '1.0']]),
    );
  });
});
