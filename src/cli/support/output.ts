/**
 * What the client subcommands print: aligned tables (the default, for people), JSON (for
 * scripts: one document, or one object per line for streams), and colour only when a person is
 * looking — stdout is a TTY, NO_COLOR is unset and TERM is not "dumb" (FORCE_COLOR overrides).
 * Data goes to stdout, diagnostics to stderr, so `vltava ... | jq` never sees a warning.
 */
import type { Writable } from 'node:stream';

export type OutputFormat = 'table' | 'json';

export interface Colors {
  enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export function colorsFor(stream: Writable & { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colors {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  const enabled = forced || (stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb');
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what we strip
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (s: string) => s.replace(ANSI, '').length;

export type Cell = string | number | boolean | null | undefined;

/** Kafka-tool-style table: upper-case headers, columns separated by two spaces, '-' for empty. */
export function renderTable(headers: string[], rows: Cell[][], colors?: Colors): string {
  const text = rows.map((r) => headers.map((_, i) => cellText(r[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => visibleLength(r[i]!))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - visibleLength(c))))
      .join('  ')
      .trimEnd();
  const head = line(headers);
  return [colors ? colors.bold(head) : head, ...text.map(line)].join('\n');
}

function cellText(c: Cell): string {
  if (c === null || c === undefined || c === '') return '-';
  return String(c);
}

/** JSON that survives bigints and Buffers (as UTF-8 text). */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_k, v) => {
      if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
      if (v && typeof v === 'object' && v.type === 'Buffer' && Array.isArray(v.data))
        return Buffer.from(v.data).toString('utf8');
      return v;
    },
    indent,
  );
}

export class Printer {
  readonly colors: Colors;
  readonly errColors: Colors;

  constructor(
    readonly format: OutputFormat,
    readonly stdout: Writable & { isTTY?: boolean } = process.stdout,
    readonly stderr: Writable & { isTTY?: boolean } = process.stderr,
  ) {
    this.colors = colorsFor(stdout);
    this.errColors = colorsFor(stderr);
  }

  get json(): boolean {
    return this.format === 'json';
  }

  line(s = ''): void {
    this.stdout.write(`${s}\n`);
  }

  table(headers: string[], rows: Cell[][]): void {
    this.line(renderTable(headers, rows, this.colors));
  }

  /** One pretty JSON document (describe/list results). */
  document(value: unknown): void {
    this.line(toJson(value, 2));
  }

  /** One compact JSON object per line (streams: consumed records, produce results). */
  jsonLine(value: unknown): void {
    this.stdout.write(`${toJson(value)}\n`);
  }

  /** A note for people (progress, hints): stderr, so it never mixes with data. */
  note(s: string): void {
    this.stderr.write(`${s}\n`);
  }

  warn(s: string): void {
    this.stderr.write(`${this.errColors.yellow('vltava: warning:')} ${s}\n`);
  }
}
