/**
 * Shared reporting for every bench: machine description, result tables printed to the console,
 * and a JSON report plus a markdown table written side by side (bench/results/<name>.json and
 * .md), so the numbers always travel with the machine, commit, workload and command that made them.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  /** 1-minute load average when the bench started and when it wrote its report: other
   * engineers' processes share this machine, and these say how busy it was. */
  loadAvg1mStart: number;
  loadAvg1mEnd: number;
}

function loadAvg1m(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return Number.NaN;
  }
}

const LOAD_AT_START = loadAvg1m();

export interface RunInfo {
  date: string;
  commit: string;
  /** True when the working tree had uncommitted changes (other engineers work in the same tree). */
  dirty: boolean;
  command: string;
}

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

export interface Table {
  title: string;
  rows: Row[];
  /** Free text printed under the table (what the columns mean, caveats). */
  note?: string;
}

function git(args: string): string | undefined {
  try {
    return execSync(`git ${args}`, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function machineInfo(): Machine {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    kernel: `${process.platform} ${release()}`,
    node: process.version,
    loadAvg1mStart: LOAD_AT_START,
    loadAvg1mEnd: loadAvg1m(),
  };
}

/** `script` is the compiled entry point, e.g. dist/bench/codec.js. */
export function runInfo(script: string, argv: string[]): RunInfo {
  return {
    date: new Date().toISOString(),
    // A snapshot run (scripts/bench-snapshot.sh) has no .git and names its commit in the env.
    commit: process.env.VLTAVA_BENCH_COMMIT ?? git('rev-parse --short HEAD') ?? 'unknown',
    dirty: process.env.VLTAVA_BENCH_COMMIT ? false : (git('status --porcelain --untracked-files=no') ?? '') !== '',
    command: ['node', script, ...argv].join(' '),
  };
}

/** Rounds to a few significant digits for tables; integers above 100 stay whole. */
export function fmt(v: Cell): string {
  if (v === null) return '-';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    const a = Math.abs(v);
    if (a >= 100 || Number.isInteger(v)) return Math.round(v).toLocaleString('en-US');
    if (a >= 10) return v.toFixed(1);
    if (a >= 1) return v.toFixed(2);
    return v.toPrecision(2);
  }
  return String(v);
}

function columns(rows: Row[]): string[] {
  const cols: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
  return cols;
}

export function tableToText(t: Table): string {
  const cols = columns(t.rows);
  const cells = t.rows.map((r) => cols.map((c) => fmt(r[c] ?? null)));
  const width = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (xs: string[]) => xs.map((x, i) => (i === 0 ? x.padEnd(width[i]!) : x.padStart(width[i]!))).join('  ');
  const out = [`== ${t.title}`, line(cols), line(width.map((w) => '-'.repeat(w))), ...cells.map(line)];
  if (t.note) out.push(t.note);
  return out.join('\n');
}

export function tableToMarkdown(t: Table): string {
  const cols = columns(t.rows);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out = [
    `### ${t.title}`,
    '',
    `| ${cols.map(esc).join(' | ')} |`,
    `| ${cols.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${cols.map((c) => esc(fmt(r[c] ?? null))).join(' | ')} |`),
  ];
  if (t.note) out.push('', t.note);
  return out.join('\n');
}

export function printTables(tables: Table[]): void {
  for (const t of tables) console.log(`${tableToText(t)}\n`);
}

export interface ReportInput {
  benchmark: string;
  script: string;
  argv: string[];
  /** One-paragraph description of the workload. */
  workload: string;
  tables: Table[];
  /** Bench-specific fields merged at the top level of the JSON (e.g. raw result arrays). */
  data?: Record<string, unknown>;
}

/**
 * Writes <out> (JSON) and the same path with .md (markdown tables) and returns the report object.
 */
export function writeReport(out: string, input: ReportInput): Record<string, unknown> {
  const run = runInfo(input.script, input.argv);
  const machine = machineInfo();
  const report = {
    benchmark: input.benchmark,
    ...run,
    machine,
    workload: input.workload,
    ...input.data,
    tables: input.tables,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  const md = [
    `## ${input.benchmark}`,
    '',
    `${run.date} · commit ${run.commit}${run.dirty ? ' (tree had uncommitted changes)' : ''} · \`${run.command}\``,
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.kernel}, Node ${machine.node}; 1-min load average ${machine.loadAvg1mStart} at start, ${machine.loadAvg1mEnd} at end (other engineers' processes share the machine).`,
    '',
    input.workload,
    '',
    ...input.tables.map((t) => `${tableToMarkdown(t)}\n`),
  ].join('\n');
  const mdPath = join(dirname(out), `${basename(out, '.json')}.md`);
  writeFileSync(mdPath, md);
  console.log(`wrote ${out} and ${mdPath}`);
  return report;
}

/** Small argv helpers shared by the benches. */
export function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export function argNumber(argv: string[], name: string, dflt: number): number {
  const v = argValue(argv, name);
  return v === undefined ? dflt : Number(v);
}
