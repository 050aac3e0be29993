// bench/client.ts --smoke runs end to end (tiny counts, no timing assertions) and writes its report.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';

it('the client benchmark runs in smoke mode and reports machine, command and every client', {
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vltava-client-bench-'));
  try {
    const out = join(dir, 'client.json');
    await new Promise<void>((resolve, reject) =>
      execFile(
        process.execPath,
        ['dist/bench/client.js', '--smoke', '--out', out],
        { timeout: 110_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve()),
      ),
    );
    const r = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(r.benchmark, 'client');
    assert.ok(r.machine.cpu && r.machine.cores > 0 && r.machine.kernel && r.machine.node);
    assert.match(r.command, /dist\/bench\/client\.js --smoke/);
    assert.ok(r.commit);
    const clients = new Set(r.runs.map((x: { client: string }) => x.client));
    assert.deepEqual([...clients].sort(), [
      '@platformatic/kafka',
      'kafkajs',
      'librdkafka (confluent-kafka-python)',
      'vltava',
    ]);
    for (const run of r.runs) assert.equal(run.error, undefined, `${run.client} ${run.size}: ${run.error}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
