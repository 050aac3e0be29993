import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, ConfigErrors, errorCode, VltavaError } from '../../../src/common/errors.js';

describe('errors', () => {
  it('carry stable string codes and causes', () => {
    const cause = new Error('inner');
    const e = new VltavaError('ERR_X', 'outer', { cause });
    assert.equal(e.code, 'ERR_X');
    assert.equal(e.cause, cause);
    assert.equal(errorCode(e), 'ERR_X');
    assert.equal(errorCode(Object.assign(new Error(), { code: 'ENOENT' })), 'ENOENT');
  });

  it('ConfigErrors lists every problem', () => {
    const e = new ConfigErrors([
      new ConfigError('ERR_CONFIG_UNKNOWN_KEY', 'Unknown a', 'a'),
      new ConfigError('ERR_CONFIG_INVALID_VALUE', 'Bad b', 'b'),
    ]);
    assert.equal(e.code, 'ERR_CONFIG_INVALID');
    assert.match(e.message, /2 configuration errors:\n {2}Unknown a\n {2}Bad b/);
  });
});
