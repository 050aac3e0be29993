// Scripts trust the exit code and people read one line: bad flags exit 2 with one line, an
// unreachable broker exits 3 with one line well within the timeout, and every subcommand's
// --help carries an example.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { closedPort, runCli } from './run-cli.js';

const oneLine = (s: string) => s.trim() !== '' && s.trim().split('\n').length === 1;

describe('vltava errors', () => {
  const badFlags: string[][] = [
    ['topics', 'list', '--no-such-flag'],
    ['topics', 'create', '--topic', 't', '--partitions', 'many'],
    ['topics', 'create'],
    ['produce'],
    ['produce', '--topic', 't', '--acks', 'sometimes'],
    ['consume', '--topic', 't', '--offset', 'later'],
    ['consume', '--topic', 't', '--format', '%q'],
    ['groups', 'reset-offsets', '--group', 'g', '--topic', 't'],
    ['groups', 'reset-offsets', '--group', 'g', '--topic', 't', '--to-earliest', '--by-duration', 'PT1H'],
    ['configs', 'alter', '--topic', 't'],
    ['perf', 'produce', '--topic', 't', '--num-records', '10', '--throughput', '-1'],
    ['topics', 'list', '--output', 'yaml'],
  ];
  for (const args of badFlags) {
    it(`bad usage exits 2 with one line: vltava ${args.join(' ')}`, async () => {
      const r = await runCli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(oneLine(r.stderr), `expected one line on stderr, got:\n${r.stderr}`);
      assert.match(r.stderr, /^vltava/);
      assert.equal(r.stdout, '');
    });
  }

  const unreachable: string[][] = [
    ['topics', 'list'],
    ['topics', 'describe'],
    ['cluster'],
    ['groups', 'list'],
    ['configs', 'describe', '--topic', 't'],
    ['produce', '--topic', 't'],
    ['consume', '--topic', 't'],
    ['perf', 'produce', '--topic', 't', '--num-records', '10', '--record-size', '10', '--throughput', '-1'],
  ];
  for (const args of unreachable) {
    it(`an unreachable broker exits 3 with one line within the timeout: vltava ${args.join(' ')}`, async () => {
      const port = await closedPort();
      const r = await runCli([...args, '--bootstrap-server', `127.0.0.1:${port}`], { killAfterMs: 15_000 });
      assert.equal(r.code, 3, r.stderr);
      assert.ok(
        oneLine(r.stderr.replace(/Processed a total of 0 messages\n/, '')),
        `expected one line on stderr, got:\n${r.stderr}`,
      );
      assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
    });
  }

  it('the bootstrap server comes from VLTAVA_BOOTSTRAP_SERVER and the profile', async () => {
    const port = await closedPort();
    const fromEnv = await runCli(['cluster'], { env: { VLTAVA_BOOTSTRAP_SERVER: `127.0.0.1:${port}` } });
    assert.match(fromEnv.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`));
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'vltava-profile-'));
    const profile = join(dir, 'config.properties');
    await writeFile(profile, `bootstrap.servers=127.0.0.1:${port}\nrequest.timeout.ms=2000\n`);
    const fromProfile = await runCli(['cluster'], { env: { VLTAVA_CONFIG: profile } });
    assert.equal(fromProfile.code, 3);
    assert.match(fromProfile.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`));
    const fromCommandConfig = await runCli(['cluster', '--command-config', profile]);
    assert.match(fromCommandConfig.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`));
    const missing = await runCli(['cluster', '--command-config', join(dir, 'nope.properties')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read client properties file .*nope\.properties: no such file/);
  });
});

/** The client commands, as paths: ['topics', 'create'], ['cluster'], ... */
function clientCommandPaths(): string[][] {
  const ours = new Set(['topics', 'produce', 'consume', 'groups', 'configs', 'cluster', 'perf']);
  const out: string[][] = [];
  const walk = (cmd: Command, path: string[]) => {
    out.push(path);
    for (const sub of cmd.commands) if (sub.name() !== 'help') walk(sub, [...path, sub.name()]);
  };
  for (const cmd of buildProgram().commands) if (ours.has(cmd.name())) walk(cmd, [cmd.name()]);
  return out;
}

describe('vltava --help', () => {
  const paths = clientCommandPaths();
  it('covers every client subcommand', () => {
    assert.ok(paths.length >= 20, `only ${paths.length} commands`);
  });
  for (const path of paths) {
    it(`vltava ${path.join(' ')} --help shows an example`, async () => {
      const r = await runCli([...path, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Usage: vltava /);
      assert.match(r.stdout, /Examples:\n {2}\$ .*vltava /);
    });
  }
  it('every other command has an example too', () => {
    const missing: string[] = [];
    const walk = (cmd: Command, path: string[]) => {
      let text = '';
      cmd.configureOutput({ writeOut: (s) => (text += s) });
      cmd.outputHelp();
      if (!/Examples:/.test(text)) missing.push(path.join(' ') || '(root)');
      for (const sub of cmd.commands) if (sub.name() !== 'help') walk(sub, [...path, sub.name()]);
    };
    walk(buildProgram(), []);
    assert.deepEqual(missing, []);
  });
});
