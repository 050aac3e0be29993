import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

it('bench/storage runs with tiny sizes and writes its JSON (smoke, no timing assertions)', async () => {
  const out = join(tmpdir(), `vltava-bench-smoke-${process.pid}.json`);
  try {
    const { stdout } = await run(process.execPath, ['dist/bench/storage.js', '--smoke', '--out', out]);
    assert.match(stdout, /append 1 MiB/);
    assert.match(stdout, /recovery of a/);
    const json = JSON.parse(await readFile(out, 'utf8'));
    assert.equal(json.appends.length, 5);
    assert.ok(json.machine.cores > 0);
    assert.equal(typeof json.recovery.ms, 'number');
  } finally {
    await rm(out, { force: true });
    await rm(out.replace(/\.json$/, '.md'), { force: true }); // the markdown table beside it
  }
});
