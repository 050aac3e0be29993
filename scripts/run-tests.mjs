#!/usr/bin/env node
// Runs the compiled test suite with node's test runner.
// Usage: node scripts/run-tests.mjs [path-substring ...]   (filters test files by substring)
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = 'dist/test';
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(p);
  }
};
walk(root);
const filters = process.argv.slice(2);
const selected = filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files;
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.VLTAVA_TEST_CONCURRENCY ?? '2';
// A hung test fails after this long instead of holding CI until its deadline.
const timeoutMs = process.env.VLTAVA_TEST_TIMEOUT_MS ?? '180000';
const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, `--test-timeout=${timeoutMs}`, ...selected], {
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
