/**
 * How `vltava consume` prints a record: Kafka's DefaultMessageFormatter properties
 * (print.timestamp, print.partition, print.offset, print.headers, print.key, print.value,
 * key.separator, line.separator, headers.separator, headers.key.separator, null.literal), a
 * kcat-style --format template, or one JSON object per line.
 */
import type { ConsumerRecord } from '../../client/consumer/consumer.js';
import { usageError } from '../support/errors.js';

export type Rec = ConsumerRecord<Buffer, Buffer>;
export type Formatter = (r: Rec) => string;

const asText = (b: Buffer | null, nullLiteral: string) => (b === null ? nullLiteral : b.toString('utf8'));

const unescapeText = (s: string) =>
  s.replace(/\\([tnr\\])/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[c]!);

const FORMATTER_PROPERTIES = [
  'print.timestamp',
  'print.partition',
  'print.offset',
  'print.headers',
  'print.key',
  'print.value',
  'key.separator',
  'line.separator',
  'headers.separator',
  'headers.key.separator',
  'null.literal',
];

/** Kafka's DefaultMessageFormatter: fields in a fixed order, separated by key.separator. */
export function propertyFormatter(props: Map<string, string>): Formatter {
  for (const k of props.keys())
    if (!FORMATTER_PROPERTIES.includes(k))
      throw usageError(
        `unknown --property '${k}' (known: ${FORMATTER_PROPERTIES.join(', ')}; consumer configs go in --consumer-property)`,
      );
  const on = (k: string, d = false) => {
    const v = props.get(k);
    return v === undefined ? d : v.trim().toLowerCase() === 'true';
  };
  const printTimestamp = on('print.timestamp');
  const printPartition = on('print.partition');
  const printOffset = on('print.offset');
  const printHeaders = on('print.headers');
  const printKey = on('print.key');
  const printValue = on('print.value', true);
  const keySep = unescapeText(props.get('key.separator') ?? '\t');
  const lineSep = unescapeText(props.get('line.separator') ?? '\n');
  const headersSep = unescapeText(props.get('headers.separator') ?? ',');
  const headerKeySep = unescapeText(props.get('headers.key.separator') ?? ':');
  const nullLiteral = props.get('null.literal') ?? 'null';
  return (r) => {
    const fields: string[] = [];
    // Vltava's consumer does not expose the timestamp type; CreateTime is the default and by far the common case.
    if (printTimestamp) fields.push(`CreateTime:${r.timestamp}`);
    if (printPartition) fields.push(`Partition:${r.partition}`);
    if (printOffset) fields.push(`Offset:${r.offset}`);
    if (printHeaders)
      fields.push(
        r.headers.length === 0
          ? 'NO_HEADERS'
          : r.headers.map((h) => `${h.key}${headerKeySep}${asText(h.value, nullLiteral)}`).join(headersSep),
      );
    if (printKey) fields.push(asText(r.key, nullLiteral));
    if (printValue) fields.push(asText(r.value, nullLiteral));
    return fields.join(keySep) + lineSep;
  };
}

/**
 * kcat's -f tokens: %t topic, %p partition, %o offset, %k key, %s value, %K key length,
 * %S value length, %T timestamp (ms), %h headers (k=v,...), %% a percent sign; \n \t \r \\.
 * A newline is added when the template has none, since a missing one runs records together.
 */
export function templateFormatter(template: string): Formatter {
  const t = unescapeText(template);
  const parts: Array<string | ((r: Rec) => string)> = [];
  let lit = '';
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c !== '%') {
      lit += c;
      continue;
    }
    const tok = t[++i];
    const fn = TOKENS[tok ?? ''];
    if (tok === '%') lit += '%';
    else if (fn) {
      if (lit) parts.push(lit);
      lit = '';
      parts.push(fn);
    } else throw usageError(`--format: unknown token '%${tok ?? ''}' (use %t %p %o %k %s %K %S %T %h %%)`);
  }
  if (lit) parts.push(lit);
  if (!t.includes('\n')) parts.push('\n');
  return (r) => {
    let s = '';
    for (const p of parts) s += typeof p === 'string' ? p : p(r);
    return s;
  };
}

const TOKENS: Record<string, (r: Rec) => string> = {
  t: (r) => r.topic,
  p: (r) => String(r.partition),
  o: (r) => String(r.offset),
  k: (r) => (r.key === null ? '' : r.key.toString('utf8')),
  s: (r) => (r.value === null ? '' : r.value.toString('utf8')),
  K: (r) => String(r.key === null ? -1 : r.key.length),
  S: (r) => String(r.value === null ? -1 : r.value.length),
  T: (r) => String(r.timestamp),
  h: (r) => r.headers.map((h) => `${h.key}=${h.value === null ? '' : h.value.toString('utf8')}`).join(','),
};

/** One JSON object per line; keys, values and header values as UTF-8 text (null stays null). */
export const jsonFormatter: Formatter = (r) =>
  `${JSON.stringify({
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : r.key.toString('utf8'),
    value: r.value === null ? null : r.value.toString('utf8'),
    headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : h.value.toString('utf8') })),
  })}\n`;
