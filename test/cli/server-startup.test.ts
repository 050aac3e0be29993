// `vltava server start` loads only what serving the first ApiVersions needs (issue 8): handler
// modules, codecs and the group coordinator load on first use (docs/architecture.md, Broker).
// A module-resolution hook in the broker process lists every module it imports up to 'broker started'.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, cliEnv } from './run-cli.js';

const HOOK = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.VLTAVA_TEST_IMPORTS, r.url + '\\n');
  return r;
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)});`;

test('server start imports no codec, handler or group module it has not needed yet', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vltava-startup-'));
  const list = join(dir, 'imports.txt');
  try {
    const args = ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, CLI, 'server', 'start'];
    args.push('--log-level', 'info', '--log-format', 'json');
    args.push('--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${join(dir, 'data')}`);
    const child = spawn(process.execPath, args, {
      env: cliEnv({ VLTAVA_TEST_IMPORTS: list }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (stderr.includes('"broker started"')) resolve();
      });
      exited.then(() => reject(new Error(`vltava exited before starting: ${stderr}`)));
    });
    const resolved = readFileSync(list, 'utf8').split('\n');
    const imported = [...new Set(resolved)]
      .filter((u) => u.includes('/dist/src/'))
      .map((u) => u.slice(u.indexOf('/dist/src/') + '/dist/src/'.length));
    child.kill('SIGINT');
    await exited;
    assert.ok(imported.includes('broker/broker.js'), 'the hook saw the broker load');
    assert.ok(!imported.includes('protocol/messages/index.js'), 'the full codec table');
    const codecs = imported.filter((m) => /^protocol\/messages\/\d\d-/.test(m));
    assert.deepEqual(codecs, ['protocol/messages/18-api-versions.js']);
    const handlers = imported.filter((m) => /^broker\/handlers\/\d\d-/.test(m));
    assert.deepEqual(handlers, ['broker/handlers/18-api-versions.js']);
    assert.ok(!imported.includes('broker/group/group-service.js'), 'the group coordinator');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
