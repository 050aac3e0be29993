/**
 * fast-check arbitraries for generated messages, built from schema/*.json at test time.
 *
 * Deliberately independent of scripts/codegen.mjs: defaults and version rules are re-derived
 * here from Kafka's rules, so a generator bug does not hide itself in its own tests.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

export interface SchemaField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  flexibleVersions?: string;
  default?: string;
  tag?: number;
  taggedVersions?: string;
  ignorable?: boolean;
  fields?: SchemaField[];
}

export interface Schema {
  apiKey?: number;
  type: string;
  name: string;
  validVersions: string;
  flexibleVersions: string;
  deprecatedVersions?: string;
  fields: SchemaField[];
  commonStructs?: { name: string; versions: string; fields: SchemaField[] }[];
}

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the test file');
    dir = up;
  }
  return dir;
}

export function loadSchemas(): Schema[] {
  const dir = join(repoRoot(), 'schema');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Schema);
}

export interface Range {
  lo: number;
  hi: number;
}

export function parseRange(s: string | undefined): Range | null {
  if (s === undefined || s === 'none') return null;
  if (s.endsWith('+')) return { lo: Number(s.slice(0, -1)), hi: Number.POSITIVE_INFINITY };
  const [a, b] = s.split('-');
  return { lo: Number(a), hi: Number(b ?? a) };
}

export const inRange = (r: Range | null, v: number): boolean => r !== null && v >= r.lo && v <= r.hi;

export function versionsOf(s: Schema): number[] {
  const r = parseRange(s.validVersions)!;
  const out: number[] = [];
  for (let v = r.lo; v <= r.hi; v++) out.push(v);
  return out;
}

const camel = (s: string): string => s[0]!.toLowerCase() + s.slice(1);

type Arb = fc.Arbitrary<unknown>;

/** Builds value arbitraries for one schema at one version. */
export class MessageArbitraries {
  private readonly common: Map<string, SchemaField[]>;

  constructor(
    readonly schema: Schema,
    private readonly maxArray = 3,
  ) {
    this.common = new Map((schema.commonStructs ?? []).map((c) => [c.name, c.fields]));
  }

  private structFields(f: SchemaField): SchemaField[] {
    if (f.fields) return f.fields;
    const base = f.type.replace(/^\[\]/, '');
    const c = this.common.get(base);
    if (!c) throw new Error(`${this.schema.name}: no struct ${base}`);
    return c;
  }

  private isStruct(f: SchemaField): boolean {
    return /^[A-Z]/.test(f.type.replace(/^\[\]/, ''));
  }

  /** Kafka's default for a field, as the decoder must produce it for absent fields. */
  defaultValue(f: SchemaField): unknown {
    const d = f.default;
    if (f.type.startsWith('[]')) return d === 'null' ? null : [];
    if (this.isStruct(f)) return d === 'null' ? null : this.defaultStruct(this.structFields(f));
    switch (f.type) {
      case 'bool':
        return d === 'true';
      case 'int64':
        return BigInt(d ?? 0);
      case 'string':
        return d === 'null' ? null : (d ?? '');
      case 'bytes':
        return d === 'null' ? null : Buffer.alloc(0);
      case 'uuid':
        return Buffer.alloc(16);
      case 'records':
        return null;
      default:
        return Number(d ?? 0);
    }
  }

  private defaultStruct(fields: SchemaField[]): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    for (const f of fields) o[camel(f.name)] = this.defaultValue(f);
    return o;
  }

  private scalar(type: string): Arb {
    switch (type) {
      case 'bool':
        return fc.boolean();
      case 'int8':
        return fc.integer({ min: -128, max: 127 });
      case 'int16':
        return fc.integer({ min: -32768, max: 32767 });
      case 'uint16':
        return fc.integer({ min: 0, max: 65535 });
      case 'int32':
        return fc.integer({ min: -2147483648, max: 2147483647 });
      case 'uint32':
        return fc.integer({ min: 0, max: 4294967295 });
      case 'int64':
        return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
      case 'float64':
        return fc.double();
      case 'string':
        return fc.string({ unit: 'grapheme', maxLength: 12 });
      case 'bytes':
      case 'records':
        return fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
      case 'uuid':
        return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));
      default:
        throw new Error(`unknown type ${type}`);
    }
  }

  private fieldArb(f: SchemaField, v: number, depth: number): Arb {
    const nullable =
      inRange(parseRange(f.nullableVersions), v) || (f.type === 'records' && f.nullableVersions !== undefined);
    let arb: Arb;
    if (f.type.startsWith('[]')) {
      const elem = this.isStruct(f) ? this.structArb(this.structFields(f), v, depth + 1) : this.scalar(f.type.slice(2));
      arb = fc.array(elem, { maxLength: depth > 2 ? 1 : this.maxArray });
    } else if (this.isStruct(f)) {
      arb = this.structArb(this.structFields(f), v, depth + 1);
    } else {
      arb = this.scalar(f.type);
    }
    return nullable ? fc.option(arb, { nil: null, freq: 4 }) : arb;
  }

  structArb(fields: SchemaField[], v: number, depth = 0): fc.Arbitrary<Record<string, unknown>> {
    const rec: Record<string, Arb> = {};
    for (const f of fields) {
      const present = inRange(parseRange(f.tag !== undefined ? f.taggedVersions : f.versions), v);
      rec[camel(f.name)] = present ? this.fieldArb(f, v, depth) : fc.constant(this.defaultValue(f));
    }
    return fc.record(rec, { noNullPrototype: true });
  }

  /** Valid messages of this schema at version v. */
  messageArb(v: number): fc.Arbitrary<Record<string, unknown>> {
    return this.structArb(this.schema.fields, v);
  }
}
