import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

it('bench/groups runs with tiny sizes and writes its JSON (smoke, no timing assertions)', async () => {
  const out = join(tmpdir(), `vltava-groups-bench-smoke-${process.pid}.json`);
  try {
    const { stdout } = await run(process.execPath, ['dist/bench/groups.js', '--smoke', '--out', out]);
    assert.match(stdout, /rebalance time/);
    const json = JSON.parse(await readFile(out, 'utf8'));
    assert.equal(json.rebalance.length, 3);
    assert.ok(json.commits.every((r: { commitsPerSec: number }) => r.commitsPerSec > 0));
    assert.ok(json.machine.cores > 0);
  } finally {
    await rm(out, { force: true });
    await rm(out.replace(/\.json$/, '.md'), { force: true });
  }
});
