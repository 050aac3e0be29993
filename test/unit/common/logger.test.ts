import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { createLogger, formatPretty, resolveLogLevel } from '../../../src/common/logger.js';

describe('logger', () => {
  it('writes JSON lines with fields when the destination is not a TTY', () => {
    const lines: string[] = [];
    const log = createLogger({ name: 'broker', destination: { write: (l: string) => lines.push(l) } });
    log.info({ port: 9092 }, 'listening');
    const obj = JSON.parse(lines[0]!);
    assert.equal(obj.msg, 'listening');
    assert.equal(obj.port, 9092);
    assert.equal(obj.name, 'broker');
  });

  it('renders one readable line per event in pretty mode', () => {
    const lines: string[] = [];
    const log = createLogger({ name: 'net', format: 'pretty', destination: { write: (l: string) => lines.push(l) } });
    log.warn({ remote: '127.0.0.1:5000', reason: 'frame too large' }, 'closing connection');
    assert.equal(lines.length, 1);
    const plain = stripVTControlCharacters(lines[0]!);
    assert.match(
      plain,
      /^\d\d:\d\d:\d\d\.\d\d\d WARN {2}net: closing connection {2}remote=127\.0\.0\.1:5000 {2}reason="frame too large"\n$/,
    );
  });

  it('pretty-prints errors with their stack and passes non-JSON through', () => {
    const out = formatPretty(
      JSON.stringify({ level: 50, time: 0, msg: 'boom', err: { message: 'x', stack: 'Error: x\n at y' } }),
      false,
    );
    assert.match(out, /ERROR boom\n {4}Error: x\n {5}at y/);
    assert.equal(formatPretty('not json', false), 'not json');
  });

  it('rejects unknown levels and honours the level', () => {
    assert.throws(() => resolveLogLevel('loud'), /unknown log level/);
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', destination: { write: (l: string) => lines.push(l) } });
    log.info('hidden');
    log.error('shown');
    assert.equal(lines.length, 1);
  });
});
