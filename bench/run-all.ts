/**
 * `npm run bench`: runs every workload, each in its own process (so one bench's heap and timers
 * do not disturb the next), then checks the targets of issues 4 and 8 against their reports.
 *
 *   npm run bench [-- --smoke] [-- --only blaster,broker] [-- --out-dir DIR] [-- --profile DIR]
 *
 * --smoke: tiny sizes, only proves the harness works (numbers mean nothing); writes to --out-dir,
 *          by default a fresh temp dir. Full runs write bench/results/<name>.json and .md.
 * --profile DIR: the blaster runs the broker under `node --cpu-prof` and writes DIR/*.cpuprofile.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePlots } from './lib/plots.js';
import { targetsTable } from './lib/targets.js';
import { argValue, printTables, writeReport } from './lib/report.js';

export const BENCHES = ['limits', 'codec', 'storage', 'blaster', 'broker', 'matrix', 'peers'] as const;

function run(script: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const smoke = argv.includes('--smoke');
  const outDir =
    argValue(argv, '--out-dir') ?? (smoke ? mkdtempSync(join(tmpdir(), 'vltava-bench-smoke-')) : 'bench/results');
  const only = argValue(argv, '--only')?.split(',');
  const profile = argValue(argv, '--profile');
  const failed: string[] = [];
  const startedAt = Date.now();
  for (const name of BENCHES) {
    if (only && !only.includes(name)) continue;
    // A bench that crashes leaves no report rather than the previous run's.
    for (const ext of ['json', 'md']) rmSync(join(outDir, `${name}.${ext}`), { force: true });
    const args = [...(smoke ? ['--smoke'] : []), '--out', join(outDir, `${name}.json`)];
    if (name === 'blaster' && profile) args.push('--profile', profile);
    console.log(`\n### ${name}: node dist/bench/${name}.js ${args.join(' ')}`);
    const code = await run(`dist/bench/${name}.js`, args);
    if (code !== 0) failed.push(name);
  }
  // Reports older than this run (benches left out with --only) are marked in the table.
  const targets = targetsTable(outDir, startedAt);
  printTables([targets]);
  writeReport(join(outDir, 'summary.json'), {
    benchmark: 'summary',
    script: 'dist/bench/run-all.js',
    argv,
    workload: `Targets of issues 4 and 8 checked against the reports in ${outDir}.`,
    tables: [targets],
    data: { failed },
  });
  for (const p of writePlots(outDir)) console.log(`wrote ${p}`);
  if (failed.length) {
    console.error(`benches failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
