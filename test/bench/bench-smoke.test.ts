/**
 * `npm run bench -- --smoke` end to end: every workload runs at tiny sizes against real processes
 * (broker CLI, rdperf — librdkafka from C, compiled here —, kcat, confluent-kafka-python, kafkajs,
 * the workload matrix, and the peers when installed) and writes its
 * JSON report and markdown table with machine, commit and command. No timing assertions: smoke
 * numbers mean nothing; this proves the harness works.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';

function runAll(outDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/bench/run-all.js', '--smoke', '--out-dir', outDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

it('npm run bench -- --smoke writes every report with machine, command and results', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vltava-bench-smoke-test-'));
  try {
    const { code, output } = await runAll(dir);
    assert.equal(code, 0, output.slice(-3000));
    const read = (name: string) => {
      const p = join(dir, `${name}.json`);
      assert.ok(existsSync(p), `${name}.json written`);
      assert.ok(existsSync(join(dir, `${name}.md`)), `${name}.md written`);
      const r = JSON.parse(readFileSync(p, 'utf8'));
      assert.equal(r.benchmark, name);
      assert.ok(r.machine.cpu && r.machine.cores > 0 && r.machine.kernel && r.machine.node, `${name}: machine`);
      assert.ok(r.commit && r.command.includes(`dist/bench/`) && r.date, `${name}: run info`);
      assert.ok(Array.isArray(r.tables) && r.tables.length > 0 && r.tables[0].rows.length > 0, `${name}: tables`);
      return r;
    };
    const limits = read('limits');
    assert.ok(limits.results.every((x: { MBps: number }) => x.MBps > 0));
    read('codec');
    read('storage');
    const blaster = read('blaster');
    assert.equal(blaster.results.length, 3);
    for (const r of blaster.results) {
      assert.equal(r.errors, 0);
      assert.ok(r.ackedRecords > 0);
      assert.equal(r.storedRecords, r.ackedRecords, 'every acknowledged record is in the log');
      assert.ok(r.requests > 0 && r.MBps > 0 && r.latency.p99Ms > 0);
    }
    const broker = read('broker');
    const b = broker.result;
    assert.ok(b.startupMedianMs > 0 && b.idleRssMiB > 0 && b.peakRssMiB > 0);
    for (const client of ['librdkafka C (rdperf)', 'kcat (librdkafka)', 'confluent-kafka (librdkafka)', 'kafkajs']) {
      const produced = b.throughput.filter(
        (t: { client: string; op: string }) => t.client === client && t.op === 'produce',
      );
      assert.ok(produced.length >= 2, `${client} produce rows`);
      for (const t of produced) assert.equal(t.error, null, `${client}: ${t.error}`);
    }
    // rdperf ran every mode for real: what it produced with acks=1 it read back, all of it.
    const rdperf = b.throughput.filter((t: { client: string }) => t.client === 'librdkafka C (rdperf)');
    const rdProduced = rdperf.find((t: { op: string; acks: number }) => t.op === 'produce' && t.acks === 1);
    const rdConsumed = rdperf.find((t: { op: string }) => t.op === 'consume');
    assert.ok(rdProduced.records > 0 && rdProduced.settings.producer['linger.ms'], 'rdperf produce JSON');
    assert.equal(rdConsumed.error, null, rdConsumed.error);
    assert.equal(rdConsumed.records, rdProduced.records);
    // Every consumer (kafkajs included: no initial rebalance delay) read every record of the topic
    // it read, and a row that did not would carry an error.
    const kcatProduced = b.throughput.find(
      (t: { client: string; op: string; acks: number }) =>
        t.client === 'kcat (librdkafka)' && t.op === 'produce' && t.acks === 1,
    );
    const consumed = b.throughput.filter((t: { op: string }) => t.op === 'consume');
    assert.deepEqual(
      consumed.map((t: { client: string }) => t.client).sort(),
      [
        'confluent-kafka (librdkafka)',
        'kafkajs',
        'kcat (librdkafka)',
        'librdkafka C (rdperf)',
        'wire fetch loop (no client)',
      ],
      'broker consume rows',
    );
    for (const t of consumed) {
      assert.equal(t.error, null, `${t.client} consume: ${t.error}`);
      assert.equal(t.records, kcatProduced.records, `${t.client} consume records`);
    }
    for (const t of b.throughput.filter((t: { client: string; op: string }) => t.client !== 'kafkajs'))
      assert.equal(t.records, kcatProduced.records, `${t.client} ${t.op}: every row moved the records asked for`);
    // Latency rows: none lost records (an error names the loss); the wire row stamps due times.
    for (const l of b.latency) {
      assert.equal(l.error, null, `${l.client}: ${l.error}`);
      assert.ok(l.sent > 0 && l.received >= l.sent, `${l.client}: received ${l.received} of ${l.sent}`);
    }
    const wire = b.latency.find((l: { client: string }) => l.client.startsWith('wire'));
    assert.ok(wire.received === wire.sent && wire.latency.count > 0);
    const rdE2e = b.latency.find((l: { client: string }) => l.client.startsWith('librdkafka C (rdperf)'));
    assert.equal(rdE2e.error, null, rdE2e.error);
    assert.ok(rdE2e.sent > 0 && rdE2e.received === rdE2e.sent && rdE2e.latency.count === rdE2e.received);
    // The matrix: every row ran, the producers delivered every record and the consumers read them all.
    const matrix = read('matrix').result;
    assert.ok(matrix.rows.length >= 13, 'matrix rows');
    for (const r of matrix.runs) {
      assert.equal(r.error, null, `matrix ${r.op} ${r.factor} ${r.value}: ${r.error}`);
      assert.ok(r.records > 0 && r.records === r.expected && r.MBps > 0, `matrix ${r.value}`);
    }
    const base = matrix.rows[0];
    for (const c of matrix.runs.filter((r: { op: string }) => r.op === 'consume')) {
      const source = matrix.runs.find((r: { op: string; topic: string }) => r.op === 'produce' && r.topic === c.topic);
      assert.equal(c.records, source.records, `matrix consume ${c.value}`);
    }
    assert.ok(base.logBytesPerPayloadByte >= 1, 'matrix base log bytes');
    assert.ok(matrix.rows.find((r: { value: string }) => r.value === 'zstd').logBytesPerPayloadByte < 0.9);
    assert.ok(matrix.rows.some((r: { partitions: number; op: string }) => r.partitions === 16 && r.op === 'consume'));
    assert.equal(matrix.e2e.error, null, matrix.e2e.error);
    assert.ok(matrix.e2e.sent > 0 && matrix.e2e.received === matrix.e2e.sent);
    const peers = read('peers');
    assert.ok(
      peers.results.some(
        (r: { system: string; recordsPerSec: number }) => r.system.startsWith('Vltava') && r.recordsPerSec > 0,
      ),
    );
    // A peer row that ran has no errors; that includes its driver's ack count matching what the
    // server stored (checkStored in bench/peers.ts).
    for (const r of peers.results as Array<{ note: string; recordsPerSec: number | null }>) {
      if (r.recordsPerSec !== null) assert.doesNotMatch(r.note, /errors:/, r.note);
    }
    const summary = read('summary');
    assert.ok(summary.tables[0].rows.length >= 10);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
