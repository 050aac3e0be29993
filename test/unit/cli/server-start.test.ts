import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadBrokerConfig } from '../../../src/cli/commands/server-start.js';
import { buildProgram } from '../../../src/cli/main.js';

describe('vltava server start', () => {
  it('reads a server.properties and lets --override win', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vltava-cli-'));
    const file = join(dir, 'server.properties');
    await writeFile(file, '# comment\nnum.partitions=3\nlog.dirs=/tmp/x\n');
    const config = await loadBrokerConfig(file, ['num.partitions=5']);
    assert.equal(config.int('num.partitions'), 5);
    assert.deepEqual(config.logDirs, ['/tmp/x']);
  });

  it('reports every bad key with where it came from', async () => {
    await assert.rejects(loadBrokerConfig(undefined, ['nmu.partitions=1', 'message.max.bytes=big']), (err: Error) => {
      assert.match(err.message, /Unknown configuration 'nmu.partitions' \(--override\)/);
      assert.match(err.message, /Invalid value 'big' for configuration 'message.max.bytes'/);
      return true;
    });
    await assert.rejects(loadBrokerConfig('/nonexistent/server.properties', []), { code: 'ERR_CONFIG_FILE' });
  });

  it('has help with examples on every command', () => {
    const program = buildProgram();
    const server = program.commands.find((c) => c.name() === 'server')!;
    const start = server.commands.find((c) => c.name() === 'start')!;
    for (const cmd of [program, server, start]) {
      let text = '';
      cmd.configureOutput({ writeOut: (s) => (text += s) });
      cmd.outputHelp();
      // addHelpText('after') is emitted on the help event, which outputHelp triggers.
      assert.match(text, /Usage:/);
    }
  });
});
