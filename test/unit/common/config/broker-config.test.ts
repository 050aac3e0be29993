import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokerConfig } from '../../../../src/common/config/broker-config.js';
import { parseProperties } from '../../../../src/common/config/properties.js';
import { ConfigSource } from '../../../../src/common/config/types.js';
import { ConfigErrors } from '../../../../src/common/errors.js';

describe('BrokerConfig', () => {
  it("has Kafka's defaults", () => {
    const c = BrokerConfig.of();
    assert.equal(c.int('num.partitions'), 1);
    assert.equal(c.int('message.max.bytes'), 1048588);
    assert.equal(c.int('socket.request.max.bytes'), 104857600);
    assert.equal(c.long('connections.max.idle.ms'), 600000);
    assert.equal(c.bool('auto.create.topics.enable'), true);
    assert.equal(c.logRetentionMs, 168 * 3_600_000);
    assert.deepEqual(c.listeners(), [{ name: 'PLAINTEXT', host: '', port: 9092 }]);
    assert.deepEqual(c.logDirs, ['./data']);
    assert.equal(c.nodeId, -1);
    assert.equal(c.resolve('log.flush.interval.messages').text, '9223372036854775807');
  });

  it('loads a Kafka server.properties, including KRaft keys it accepts and ignores', () => {
    const ignored: string[] = [];
    const text = [
      'process.roles=broker,controller',
      'node.id=1',
      'controller.quorum.voters=1@localhost:9093',
      'listeners=PLAINTEXT://:9092,CONTROLLER://:9093',
      'advertised.listeners=PLAINTEXT://localhost:9092',
      'controller.listener.names=CONTROLLER',
      'log.dirs=/tmp/a,/tmp/b',
      'num.partitions=3',
      'log.retention.hours=24',
      'ssl.keystore.location=/x',
    ].join('\n');
    const c = BrokerConfig.from(parseProperties(text), { onIgnored: (n) => ignored.push(n) });
    assert.equal(c.nodeId, 1);
    assert.deepEqual(c.logDirs, ['/tmp/a', '/tmp/b']);
    assert.deepEqual(
      c.clientListeners().map((l) => l.name),
      ['PLAINTEXT'],
    );
    assert.deepEqual(c.advertisedListeners(), [{ name: 'PLAINTEXT', host: 'localhost', port: 9092 }]);
    assert.equal(c.logRetentionMs, 24 * 3_600_000);
    assert.ok(ignored.includes('process.roles') && ignored.includes('ssl.keystore.location'));
  });

  it('lists every unknown key and invalid value in one error', () => {
    try {
      BrokerConfig.from(
        parseProperties('num.partition=3\nmessage.max.bytes=lots\nlisteners=nonsense\nlog.segment.bytes=100\n'),
      );
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof ConfigErrors);
      const msg = err.message;
      assert.match(msg, /Unknown configuration 'num\.partition' \(line 1\) \(did you mean 'num\.partitions'\?\)/);
      assert.match(msg, /Invalid value 'lots' for configuration 'message\.max\.bytes'/);
      assert.match(msg, /'nonsense' is not a listener/);
      assert.match(msg, /log\.segment\.bytes.*at least 1048576/);
      assert.deepEqual(
        err.errors.map((e) => e.key),
        ['num.partition', 'message.max.bytes', 'listeners', 'log.segment.bytes'],
      );
    }
  });

  it('rejects out-of-range ints and mismatched ids', () => {
    assert.throws(() => BrokerConfig.of({ 'num.partitions': 0 }), /at least 1/);
    assert.throws(() => BrokerConfig.of({ 'message.max.bytes': '99999999999' }), /out of range/);
    assert.throws(() => BrokerConfig.of({ 'broker.id': 1, 'node.id': 2 }), /must match/);
    assert.throws(() => BrokerConfig.of({ 'advertised.listeners': 'SSL://h:1' }), /not in listeners/);
  });

  it('describes configs with sources, read-only flags, types and synonyms', () => {
    const c = BrokerConfig.of({ 'log.retention.ms': 1000 });
    const byName = new Map(c.describe(true).map((e) => [e.name, e]));
    const ret = byName.get('log.retention.ms')!;
    assert.equal(ret.value, '1000');
    assert.equal(ret.source, ConfigSource.STATIC_BROKER_CONFIG);
    assert.equal(ret.readOnly, false);
    assert.equal(ret.configType, 5);
    assert.deepEqual(ret.synonyms, [
      { name: 'log.retention.ms', value: '1000', source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
    ]);
    const id = byName.get('broker.id')!;
    assert.equal(id.readOnly, true);
    assert.equal(id.source, ConfigSource.DEFAULT_CONFIG);
    assert.equal(byName.get('log.cleaner.min.cleanable.ratio')!.value, '0.5');
  });

  it('applies dynamic per-broker over cluster default over static, and notifies', () => {
    const c = BrokerConfig.of({ 'log.retention.bytes': 10 });
    const changes: string[][] = [];
    c.onChange((names) => changes.push(names));
    c.setDynamic('default', new Map([['log.retention.bytes', '20']]));
    assert.equal(c.resolve('log.retention.bytes').source, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
    c.setDynamic('broker', new Map([['log.retention.bytes', '30']]));
    assert.deepEqual(c.resolve('log.retention.bytes'), {
      value: 30,
      text: '30',
      source: ConfigSource.DYNAMIC_BROKER_CONFIG,
    });
    c.setDynamic('broker', new Map());
    assert.equal(c.long('log.retention.bytes'), 20);
    assert.equal(changes.length, 3);
    assert.deepEqual(c.dynamicValues('default'), new Map([['log.retention.bytes', '20']]));
  });

  it('refuses dynamic updates of read-only configs', () => {
    const c = BrokerConfig.of();
    assert.throws(
      () => c.validateDynamic('broker', new Map([['broker.id', '3']])),
      /Cannot update configuration 'broker.id'/,
    );
    assert.throws(
      () => c.validateDynamic('default', new Map([['advertised.listeners', 'PLAINTEXT://h:1']])),
      /cluster default/,
    );
    assert.throws(() => c.validateDynamic('broker', new Map([['nope', '1']])), /Unknown configuration/);
  });
});
