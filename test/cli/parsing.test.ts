// The CLI's own parsers: Kafka's console-producer line format, consumer output formats, reset
// plans' durations and dates, kafka-configs' --add-config lists, client properties.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddConfig } from '../../src/cli/commands/configs.js';
import { propertyFormatter, templateFormatter } from '../../src/cli/commands/consume-format.js';
import { parseDuration, parseTopicPartitions, resetSpec } from '../../src/cli/commands/groups-reset.js';
import { lineReaderConfig, parseLine } from '../../src/cli/commands/produce.js';
import { consumerOptionsFrom, producerOptionsFrom } from '../../src/cli/support/client-properties.js';
import { renderTable } from '../../src/cli/support/output.js';

const props = (o: Record<string, string>) => new Map(Object.entries(o));
const rec = {
  topic: 't',
  partition: 1,
  offset: 7,
  timestamp: 1000,
  key: Buffer.from('k'),
  value: Buffer.from('v'),
  headers: [{ key: 'h', value: Buffer.from('x') }],
};

describe('produce line parsing (Kafka LineMessageReader)', () => {
  it('reads value only by default, key with parse.key, headers before the key', () => {
    assert.deepEqual(parseLine('a\tb', lineReaderConfig(props({}))), { key: null, value: 'a\tb', headers: [] });
    assert.deepEqual(parseLine('k:v:w', lineReaderConfig(props({ 'parse.key': 'true', 'key.separator': ':' }))), {
      key: 'k',
      value: 'v:w',
      headers: [],
    });
    const c = lineReaderConfig(props({ 'parse.key': 'true', 'parse.headers': 'true' }));
    assert.deepEqual(parseLine('h1:a,h2:b\tk\tv', c), {
      key: 'k',
      value: 'v',
      headers: [
        { key: 'h1', value: 'a' },
        { key: 'h2', value: 'b' },
      ],
    });
    assert.deepEqual(parseLine('\tk\tv', c), { key: 'k', value: 'v', headers: [] });
  });
  it('treats the null marker as null and honours ignore.error', () => {
    const c = lineReaderConfig(props({ 'parse.key': 'true', 'key.separator': ':', 'null.marker': 'NULL' }));
    assert.deepEqual(parseLine('NULL:NULL', c), { key: null, value: null, headers: [] });
    assert.throws(() => parseLine('novalue', c), /no key separator/);
    assert.deepEqual(parseLine('novalue', lineReaderConfig(props({ 'parse.key': 'true', 'ignore.error': 'true' }))), {
      key: null,
      value: 'novalue',
      headers: [],
    });
  });
  it('accepts \\t written out as a separator and rejects unknown properties', () => {
    assert.equal(lineReaderConfig(props({ 'key.separator': '\\t' })).keySeparator, '\t');
    assert.throws(() => lineReaderConfig(props({ 'parse.keys': 'true' })), /unknown --property 'parse.keys'/);
  });
});

describe('consume output formats', () => {
  it('prints like Kafka DefaultMessageFormatter', () => {
    assert.equal(propertyFormatter(props({}))(rec), 'v\n');
    const f = propertyFormatter(
      props({
        'print.timestamp': 'true',
        'print.partition': 'true',
        'print.offset': 'true',
        'print.headers': 'true',
        'print.key': 'true',
        'key.separator': ' ',
      }),
    );
    assert.equal(f(rec), 'CreateTime:1000 Partition:1 Offset:7 h:x k v\n');
    assert.equal(propertyFormatter(props({ 'print.key': 'true' }))({ ...rec, key: null }), 'null\tv\n');
  });
  it('expands kcat tokens and adds the newline a template forgot', () => {
    assert.equal(templateFormatter('%t %p %o %k %s %K %S %T %h %%')(rec), 't 1 7 k v 1 1 1000 h=x %\n');
    assert.equal(templateFormatter('%s\\n')(rec), 'v\n');
    assert.throws(() => templateFormatter('%z'), /unknown token '%z'/);
  });
});

describe('reset-offsets arguments', () => {
  it('parses ISO-8601 durations as Kafka does', () => {
    assert.equal(parseDuration('PT15M'), 15 * 60_000);
    assert.equal(parseDuration('P1DT2H'), 26 * 3_600_000);
    assert.equal(parseDuration('PT0.5S'), 500);
    assert.throws(() => parseDuration('15m'), /ISO-8601/);
    assert.throws(() => parseDuration('P'), /ISO-8601/);
  });
  it('needs exactly one target', () => {
    assert.deepEqual(resetSpec({ toOffset: '5' }), { to: 'offset', offset: 5 });
    assert.deepEqual(resetSpec({ byDuration: 'PT1S' }, 10_000), { to: 'timestamp', timestamp: 9_000 });
    assert.deepEqual(resetSpec({ toDatetime: '2024-01-02T03:04:05.000Z' }), {
      to: 'timestamp',
      timestamp: Date.UTC(2024, 0, 2, 3, 4, 5),
    });
    assert.throws(() => resetSpec({}), /exactly one/);
    assert.throws(() => resetSpec({ toEarliest: true, toLatest: true }), /exactly one/);
  });
  it('reads topic:partitions', () => {
    assert.deepEqual(parseTopicPartitions('orders'), { topic: 'orders' });
    assert.deepEqual(parseTopicPartitions('orders:0,2'), { topic: 'orders', partitions: [0, 2] });
    assert.throws(() => parseTopicPartitions('orders:x'), /topic:partition/);
  });
});

describe('configs and client properties', () => {
  it('splits --add-config on commas outside brackets', () => {
    assert.deepEqual(parseAddConfig(['a=1,b=[x,y]', 'c=']), [
      ['a', '1'],
      ['b', 'x,y'],
      ['c', ''],
    ]);
  });
  it('maps Kafka client properties and rejects bad values by name', () => {
    const p = producerOptionsFrom(
      props({ acks: 'all', 'linger.ms': '5', 'compression.type': 'zstd', 'enable.idempotence': 'false' }),
      { bootstrapServers: 'x:1' },
    );
    assert.equal(p.acks, -1);
    assert.equal(p.lingerMs, 5);
    assert.equal(p.compression, 'zstd');
    assert.equal(p.idempotent, false);
    const c = consumerOptionsFrom(
      props({
        'group.id': 'g',
        'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.RoundRobinAssignor',
      }),
      { bootstrapServers: 'x:1' },
    );
    assert.equal(c.groupId, 'g');
    assert.deepEqual(c.assignors, ['roundrobin']);
    assert.throws(() => producerOptionsFrom(props({ 'linger.ms': 'soon' }), { bootstrapServers: 'x:1' }), /linger\.ms/);
    assert.throws(
      () => producerOptionsFrom(props({ 'security.protocol': 'SASL_SSL' }), { bootstrapServers: 'x:1' }),
      /not supported/,
    );
  });
  it('renders aligned tables with - for empty cells', () => {
    assert.equal(
      renderTable(
        ['A', 'LONGER'],
        [
          [1, null],
          ['wide-cell', 'x'],
        ],
      ),
      'A          LONGER\n1          -\nwide-cell  x',
    );
  });
});
