#!/usr/bin/env node
// Dev tool, run once by hand: derives the project's own message definitions (schema/) from the
// reference schemas in ../shared/kafka-protocol. Keeps only the facts the codec generator needs
// (keys, versions, field types, nullability, defaults, tags) and drops the prose, so nothing built
// or tested ever reads ../shared.
//
// Usage: node scripts/import-schemas.mjs [path/to/kafka-protocol] [out-dir]
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const src = process.argv[2] ?? '../shared/kafka-protocol';
const out = process.argv[3] ?? 'schema';

// Schemas the project needs beyond the API messages; the offsets-topic records are not in the
// reference folder and are kept by hand in schema/ (see schema/README.md).
const EXTRA = ['RequestHeader', 'ResponseHeader', 'ConsumerProtocolSubscription', 'ConsumerProtocolAssignment'];

const TOP_KEYS = [
  'apiKey',
  'type',
  'name',
  'validVersions',
  'deprecatedVersions',
  'flexibleVersions',
  'latestVersionUnstable',
  'listeners',
];
const FIELD_KEYS = [
  'name',
  'type',
  'versions',
  'nullableVersions',
  'flexibleVersions',
  'default',
  'tag',
  'taggedVersions',
  'ignorable',
  'mapKey',
];

function parse(file) {
  const text = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !/^\s*\/\//.test(l))
    .join('\n');
  return JSON.parse(text);
}

function pick(obj, keys) {
  const o = {};
  for (const k of keys) {
    if (obj[k] === undefined) continue;
    let v = obj[k];
    if (k === 'default') v = String(v);
    if (k === 'tag') v = Number(v);
    o[k] = v;
  }
  return o;
}

function field(f) {
  const o = pick(f, FIELD_KEYS);
  if (f.fields) o.fields = f.fields.map(field);
  return o;
}

function message(m) {
  const o = pick(m, TOP_KEYS);
  o.fields = m.fields.map(field);
  if (m.commonStructs) {
    o.commonStructs = m.commonStructs.map((s) => ({ name: s.name, versions: s.versions, fields: s.fields.map(field) }));
  }
  return o;
}

// One field per line keeps the files diffable and readable without a viewer.
export function render(msg) {
  const lines = ['{'];
  const top = Object.entries(msg).filter(([k]) => k !== 'fields' && k !== 'commonStructs');
  for (const [k, v] of top) lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  const fieldLines = (fields, indent) => {
    const out = [];
    fields.forEach((f, i) => {
      const comma = i === fields.length - 1 ? '' : ',';
      const { fields: sub, ...rest } = f;
      const head = JSON.stringify(rest).slice(0, -1).replaceAll('":', '": ').replaceAll(',"', ', "');
      if (!sub) {
        out.push(`${indent}${head} }${comma}`.replace('{"', '{ "'));
      } else {
        out.push(`${indent}${head}, "fields": [`.replace('{"', '{ "'));
        out.push(...fieldLines(sub, `${indent}  `));
        out.push(`${indent}]}${comma}`);
      }
    });
    return out;
  };
  lines.push('  "fields": [');
  lines.push(...fieldLines(msg.fields, '    '));
  if (msg.commonStructs) {
    lines.push('  ],');
    lines.push('  "commonStructs": [');
    msg.commonStructs.forEach((s, i) => {
      lines.push(`    { "name": ${JSON.stringify(s.name)}, "versions": ${JSON.stringify(s.versions)}, "fields": [`);
      lines.push(...fieldLines(s.fields, '      '));
      lines.push(`    ]}${i === msg.commonStructs.length - 1 ? '' : ','}`);
    });
  }
  lines.push('  ]');
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function main() {
  const dir = join(src, 'messages');
  const apis = readFileSync(join(src, 'api-keys.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'))
    .filter((c) => /\b(zkBroker|broker)\b/.test(c[5]))
    .map((c) => Number(c[0]));
  const wanted = new Set(apis);
  mkdirSync(out, { recursive: true });
  let n = 0;
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json')) continue;
    const m = parse(join(dir, file));
    const keep = ((m.type === 'request' || m.type === 'response') && wanted.has(m.apiKey)) || EXTRA.includes(m.name);
    if (!keep) continue;
    const text = render(message(m));
    JSON.parse(text); // the hand-rolled layout must stay valid JSON
    writeFileSync(join(out, `${m.name}.json`), text);
    n++;
  }
  console.log(`wrote ${n} schema files to ${out}/ (${wanted.size} APIs)`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
