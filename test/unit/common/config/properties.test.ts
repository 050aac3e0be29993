import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOverride, parseProperties } from '../../../../src/common/config/properties.js';

const kv = (text: string) => Object.fromEntries(parseProperties(text).map((e) => [e.key, e.value]));

describe('parseProperties', () => {
  it('reads keys and values with =, : and whitespace separators and skips comments', () => {
    assert.deepEqual(kv('# comment\n! also\n\na=1\nb : 2\nc 3\n  d=  spaced value  \ne=\n'), {
      a: '1',
      b: '2',
      c: '3',
      d: 'spaced value  ',
      e: '',
    });
  });

  it('joins continuation lines and drops the leading whitespace of the next line', () => {
    assert.deepEqual(kv('listeners=PLAINTEXT://:9092,\\\n    SSL://:9093\n'), {
      listeners: 'PLAINTEXT://:9092,SSL://:9093',
    });
    // An even number of trailing backslashes is an escaped backslash, not a continuation.
    assert.deepEqual(kv('a=x\\\\\nb=y'), { a: 'x\\', b: 'y' });
  });

  it('handles escapes in keys and values', () => {
    assert.deepEqual(kv('my\\=key=v\\u00e9\\tz\\:\n'), { 'my=key': 'vé\tz:' });
  });

  it('reports line numbers and lets later duplicates be resolved by the caller', () => {
    const entries = parseProperties('a=1\n\n# x\na=2\n');
    assert.deepEqual(
      entries.map((e) => [e.key, e.value, e.line]),
      [
        ['a', '1', 1],
        ['a', '2', 4],
      ],
    );
  });

  it('rejects a malformed unicode escape', () => {
    assert.throws(() => parseProperties('a=\\u12'), /malformed/);
  });

  it('parses --override key=value', () => {
    assert.deepEqual(parseOverride('log.dirs=/a=b'), { key: 'log.dirs', value: '/a=b' });
    assert.throws(() => parseOverride('novalue'), /key=value/);
  });
});
