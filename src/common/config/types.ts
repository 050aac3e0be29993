/**
 * The shape of a configuration definition: Kafka's name, type, default, validity, and what
 * DescribeConfigs needs to report about it (read-only, sensitive, wire type, source of a value).
 * Values are parsed once into JS values; `long` values are JS numbers (Long.MAX_VALUE becomes a
 * float that compares as "infinite", which is all the broker uses it for) but keep their exact text
 * for display, so DescribeConfigs shows 9223372036854775807 as Kafka does.
 */
import { ConfigError } from '../errors.js';

export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password';

/** DescribeConfigs v3+ ConfigType enum. */
export const CONFIG_TYPE_CODE: Record<ConfigType, number> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

/** DescribeConfigs v1+ ConfigSource enum (org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource). */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;
export type ConfigSourceCode = (typeof ConfigSource)[keyof typeof ConfigSource];

export type ConfigValue = boolean | number | string | string[] | null;

/**
 * How a broker config may change at runtime (Kafka's DynamicBrokerConfig): 'read-only' needs a
 * restart; 'per-broker' may be set for one broker; 'cluster-wide' also as the cluster default.
 */
export type DynamicMode = 'read-only' | 'per-broker' | 'cluster-wide';

export type Validator = (value: ConfigValue) => string | undefined;

export interface ConfigDef {
  name: string;
  type: ConfigType;
  /** Kafka's default, as text (null = no default). Parsed with the same rules as user input. */
  default: string | null;
  validator?: Validator;
  dynamic?: DynamicMode;
  /** Accepted for compatibility with Kafka's server.properties but has no effect in Vltava. */
  ignored?: boolean;
}

export interface ParsedValue {
  value: ConfigValue;
  /** Canonical text form, as DescribeConfigs shows it (null for null). */
  text: string | null;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
export const LONG_MAX_TEXT = LONG_MAX.toString();

/** Parses text for a definition; throws ConfigError naming the key on a bad value. */
export function parseValue(def: ConfigDef, raw: string | null): ParsedValue {
  const bad = (why: string): never => {
    throw new ConfigError('ERR_CONFIG_INVALID_VALUE', `Invalid value '${raw}' for configuration '${def.name}': ${why}`, def.name);
  };
  let parsed: ParsedValue;
  if (raw === null) {
    parsed = { value: null, text: null };
  } else {
    const s = def.type === 'password' || def.type === 'string' ? raw : raw.trim();
    switch (def.type) {
      case 'boolean': {
        const l = s.toLowerCase();
        if (l !== 'true' && l !== 'false') bad('expected true or false');
        parsed = { value: l === 'true', text: l };
        break;
      }
      case 'int':
      case 'short': {
        if (!/^[+-]?\d+$/.test(s)) bad(`expected a${def.type === 'int' ? 'n int' : ' short'}`);
        const n = Number(s);
        const [lo, hi] = def.type === 'int' ? [INT_MIN, INT_MAX] : [-32768, 32767];
        if (n < lo || n > hi) bad(`out of range for ${def.type} [${lo},${hi}]`);
        parsed = { value: n, text: String(n) };
        break;
      }
      case 'long': {
        if (!/^[+-]?\d+$/.test(s)) bad('expected a long');
        const b = BigInt(s);
        if (b < LONG_MIN || b > LONG_MAX) bad('out of range for long');
        parsed = { value: Number(b), text: b.toString() };
        break;
      }
      case 'double': {
        const n = Number(s);
        if (s === '' || !Number.isFinite(n)) bad('expected a number');
        parsed = { value: n, text: Number.isInteger(n) ? n.toFixed(1) : String(n) };
        break;
      }
      case 'list': {
        const items = s === '' ? [] : s.split(',').map((x) => x.trim());
        parsed = { value: items, text: items.join(',') };
        break;
      }
      default:
        parsed = { value: s, text: s };
    }
  }
  const why = def.validator?.(parsed.value);
  if (why !== undefined) bad(why);
  return parsed;
}

// ---- validators (null passes unless stated: a null default means "unset", as in Kafka) ----

export function atLeast(min: number): Validator {
  return (v) => (v !== null && (v as number) < min ? `must be at least ${min}` : undefined);
}

export function between(min: number, max: number): Validator {
  return (v) => (v !== null && ((v as number) < min || (v as number) > max) ? `must be in [${min},...,${max}]` : undefined);
}

export function oneOf(values: string[], caseInsensitive = false): Validator {
  const norm = (x: string) => (caseInsensitive ? x.toLowerCase() : x);
  const allowed = new Set(values.map(norm));
  return (v) => (v !== null && !allowed.has(norm(v as string)) ? `must be one of [${values.join(', ')}]` : undefined);
}

export function listOf(values: string[], allowEmpty = false): Validator {
  const allowed = new Set(values);
  return (v) => {
    if (v === null) return undefined;
    const items = v as string[];
    if (!allowEmpty && items.length === 0) return 'must not be empty';
    const badItem = items.find((i) => !allowed.has(i));
    return badItem !== undefined ? `'${badItem}' is not one of [${values.join(', ')}]` : undefined;
  };
}

export function nonEmptyString(): Validator {
  return (v) => (v !== null && (v as string).trim() === '' ? 'must not be empty' : undefined);
}

/** Levenshtein distance, for "did you mean" hints on unknown keys. */
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

export function closestName(name: string, names: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const n of names) {
    const d = editDistance(name, n);
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 5)) ? best : undefined;
}
