/**
 * The codec benchmark (bench/codec.ts) runs end to end in --smoke mode: tiny sizes, no timing
 * assertions — it proves the bench still builds its Produce request, decodes and validates it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

describe('bench/codec smoke', () => {
  it('runs with --smoke and writes a report with machine, workload and results', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vltava-bench-'));
    try {
      const out = join(dir, 'codec.json');
      const res = spawnSync(process.execPath, ['dist/bench/codec.js', '--smoke', '--out', out], { encoding: 'utf8' });
      assert.equal(res.status, 0, res.stderr);
      const report = JSON.parse(readFileSync(out, 'utf8'));
      assert.equal(report.benchmark, 'codec');
      assert.ok(report.machine.cpu && report.machine.cores > 0 && report.machine.node);
      assert.equal(report.results.length, 2);
      for (const r of report.results) {
        assert.ok(r.batches >= 1);
        assert.ok(r.crcUs > 0 && r.validateUs > 0 && r.decodeValidateUs > 0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
