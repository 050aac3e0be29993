/**
 * Java .properties parsing (java.util.Properties#load semantics), for Kafka's server.properties:
 * '#' and '!' comments, key/value separated by '=', ':' or whitespace, backslash line continuation
 * (leading whitespace of the next line dropped), and escapes (\t \n \r \f \uXXXX, \x -> x).
 * Later duplicates win, as in Java. Returns entries in file order with their line numbers.
 */
import { ConfigError } from '../errors.js';

export interface PropertyEntry {
  key: string;
  value: string;
  line: number;
}

export function parseProperties(text: string, source = 'properties'): PropertyEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const out: PropertyEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let logical = lines[i]!.replace(/^[ \t\f]+/, '');
    if (logical === '' || logical[0] === '#' || logical[0] === '!') continue;
    while (endsWithContinuation(logical)) {
      logical = logical.slice(0, -1);
      i++;
      if (i >= lines.length) break;
      logical += lines[i]!.replace(/^[ \t\f]+/, '');
    }
    // Key ends at the first unescaped separator.
    let k = 0;
    let escaped = false;
    for (; k < logical.length; k++) {
      const c = logical[k]!;
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    }
    const rawKey = logical.slice(0, k);
    let v = k;
    while (v < logical.length && /[ \t\f]/.test(logical[v]!)) v++;
    if (v < logical.length && (logical[v] === '=' || logical[v] === ':')) v++;
    while (v < logical.length && /[ \t\f]/.test(logical[v]!)) v++;
    out.push({ key: unescapeValue(rawKey, source, startLine), value: unescapeValue(logical.slice(v), source, startLine), line: startLine });
  }
  return out;
}

function endsWithContinuation(s: string): boolean {
  let n = 0;
  for (let j = s.length - 1; j >= 0 && s[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

function unescapeValue(s: string, source: string, line: number): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === undefined) break;
    switch (n) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        const hex = s.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          throw new ConfigError('ERR_CONFIG_SYNTAX', `${source}:${line}: malformed \\uXXXX escape`);
        }
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 4;
        break;
      }
      default:
        out += n;
    }
  }
  return out;
}

/** Parses `key=value` from a command line --override (first '=' separates; value may be empty). */
export function parseOverride(arg: string): { key: string; value: string } {
  const eq = arg.indexOf('=');
  if (eq <= 0) {
    throw new ConfigError('ERR_CONFIG_SYNTAX', `--override expects key=value, got '${arg}'`);
  }
  return { key: arg.slice(0, eq).trim(), value: arg.slice(eq + 1) };
}
