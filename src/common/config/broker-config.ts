/**
 * BrokerConfig owns a broker's configuration in Kafka's layers, most specific first:
 *   dynamic per-broker (AlterConfigs on broker N) > dynamic cluster default (AlterConfigs on
 *   broker "") > static (server.properties + --override) > Kafka's default.
 * It answers typed lookups, DescribeConfigs entries with sources and synonyms, and resolves a
 * topic's effective configs from its overrides plus the broker synonyms (topic-config.ts).
 * Concurrency: plain synchronous object on the broker's event loop; dynamic changes replace a layer
 * atomically and then notify listeners.
 */
import { ConfigError, ConfigErrors } from '../errors.js';
import { BROKER_CONFIG_DEFS, IGNORED_PREFIXES, type ListenerSpec, parseListener } from './broker-defs.js';
import type { PropertyEntry } from './properties.js';
import { TOPIC_CONFIG_DEFS } from './topic-defs.js';
import {
  CONFIG_TYPE_CODE,
  type ConfigDef,
  ConfigSource,
  type ConfigSourceCode,
  type ConfigValue,
  closestName,
  type ParsedValue,
  parseValue,
} from './types.js';

export interface ConfigSynonymEntry {
  name: string;
  value: string | null;
  source: ConfigSourceCode;
}

/** Everything DescribeConfigs reports about one config. */
export interface ConfigEntry {
  name: string;
  value: string | null;
  source: ConfigSourceCode;
  readOnly: boolean;
  sensitive: boolean;
  /** DescribeConfigs v3+ ConfigType code. */
  configType: number;
  isDefault: boolean;
  synonyms: ConfigSynonymEntry[];
}

type Layer = Map<string, ParsedValue>;

/** Broker configs that are different spellings of one setting (Kafka's brokerConfigSynonyms). */
const BROKER_SYNONYM_GROUPS: Map<string, string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const def of TOPIC_CONFIG_DEFS.values()) {
    if (def.synonyms.length > 1) {
      const names = def.synonyms.map((s) => s.name);
      for (const n of names) m.set(n, names);
    }
  }
  return m;
})();

export function isIgnoredName(name: string): boolean {
  return IGNORED_PREFIXES.some((p) => name.startsWith(p));
}

/** Resolves an unknown key into a helpful error. */
function unknownKey(name: string, where: string): ConfigError {
  const hint = closestName(name, BROKER_CONFIG_DEFS.keys());
  return new ConfigError('ERR_CONFIG_UNKNOWN_KEY', `Unknown configuration '${name}'${where}${hint ? ` (did you mean '${hint}'?)` : ''}`, name);
}

export interface BrokerConfigOptions {
  /** Called once per accepted-but-ignored key, so the caller can log it. */
  onIgnored?: (name: string) => void;
}

export class BrokerConfig {
  private readonly staticLayer: Layer;
  private dynamicDefault: Layer = new Map();
  private dynamicBroker: Layer = new Map();
  private readonly changeListeners = new Set<(changed: string[]) => void>();
  /** Raw text of ignored keys, kept so DescribeConfigs does not lose them. */
  readonly ignoredKeys: ReadonlyMap<string, string>;

  private constructor(staticLayer: Layer, ignored: Map<string, string>) {
    this.staticLayer = staticLayer;
    this.ignoredKeys = ignored;
  }

  /**
   * Builds a config from ordered key/value entries (file entries, then overrides: later wins).
   * Collects every problem and throws one ConfigErrors listing them all.
   */
  static from(entries: Iterable<PropertyEntry | { key: string; value: string; line?: number; source?: string }>, options: BrokerConfigOptions = {}): BrokerConfig {
    const raw = new Map<string, { value: string; where: string }>();
    for (const e of entries) {
      const src = (e as { source?: string }).source;
      const where = src ? ` (${src}${e.line ? `:${e.line}` : ''})` : e.line ? ` (line ${e.line})` : '';
      raw.set(e.key, { value: e.value, where });
    }
    const errors: ConfigError[] = [];
    const layer: Layer = new Map();
    const ignored = new Map<string, string>();
    for (const [key, { value, where }] of raw) {
      const def = BROKER_CONFIG_DEFS.get(key);
      if (def === undefined) {
        if (isIgnoredName(key)) {
          ignored.set(key, value);
          options.onIgnored?.(key);
        } else errors.push(unknownKey(key, where));
        continue;
      }
      try {
        layer.set(key, parseValue(def, value));
        if (def.ignored) options.onIgnored?.(key);
      } catch (err) {
        if (err instanceof ConfigError) errors.push(new ConfigError(err.code as 'ERR_CONFIG_INVALID_VALUE', `${err.message}${where}`, key));
        else throw err;
      }
    }
    const config = new BrokerConfig(layer, ignored);
    errors.push(...config.crossCheck());
    if (errors.length > 0) throw new ConfigErrors(errors);
    return config;
  }

  /** A config of defaults plus `overrides` (the embedded API's shorthand). */
  static of(overrides: Record<string, string | number | boolean> = {}, options: BrokerConfigOptions = {}): BrokerConfig {
    return BrokerConfig.from(
      Object.entries(overrides).map(([key, value]) => ({ key, value: String(value) })),
      options,
    );
  }

  /** Checks that need more than one key. */
  private crossCheck(): ConfigError[] {
    const errors: ConfigError[] = [];
    const brokerId = this.int('broker.id');
    const nodeId = this.int('node.id');
    if (brokerId >= 0 && nodeId >= 0 && brokerId !== nodeId) {
      errors.push(new ConfigError('ERR_CONFIG_INVALID_VALUE', `broker.id (${brokerId}) and node.id (${nodeId}) must match when both are set`, 'node.id'));
    }
    const listenerNames = new Set(this.listeners().map((l) => l.name));
    for (const a of this.list('advertised.listeners') ?? []) {
      const spec = parseListener(a);
      if (spec && !listenerNames.has(spec.name)) {
        errors.push(new ConfigError('ERR_CONFIG_INVALID_VALUE', `advertised.listeners names ${spec.name}, which is not in listeners`, 'advertised.listeners'));
      }
    }
    if (this.clientListeners().length === 0) {
      errors.push(new ConfigError('ERR_CONFIG_INVALID_VALUE', 'listeners must contain at least one non-controller listener', 'listeners'));
    }
    return errors;
  }

  // ---- lookups ----

  private lookup(name: string): { parsed: ParsedValue; source: ConfigSourceCode } {
    const def = BROKER_CONFIG_DEFS.get(name);
    if (def === undefined) throw unknownKey(name, '');
    const d = this.dynamicBroker.get(name);
    if (d !== undefined) return { parsed: d, source: ConfigSource.DYNAMIC_BROKER_CONFIG };
    const dd = this.dynamicDefault.get(name);
    if (dd !== undefined) return { parsed: dd, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG };
    const s = this.staticLayer.get(name);
    if (s !== undefined) return { parsed: s, source: ConfigSource.STATIC_BROKER_CONFIG };
    return { parsed: defaultOf(def), source: ConfigSource.DEFAULT_CONFIG };
  }

  get(name: string): ConfigValue {
    return this.lookup(name).parsed.value;
  }

  /** Effective value with its text and source. */
  resolve(name: string): { value: ConfigValue; text: string | null; source: ConfigSourceCode } {
    const { parsed, source } = this.lookup(name);
    return { value: parsed.value, text: parsed.text, source };
  }

  /** True if the user set it anywhere (file, override or dynamically). */
  isSet(name: string): boolean {
    return this.lookup(name).source !== ConfigSource.DEFAULT_CONFIG;
  }

  int(name: string): number {
    return this.get(name) as number;
  }
  long(name: string): number {
    return this.get(name) as number;
  }
  /** Number or null for configs whose default is null (log.retention.ms). */
  optionalNumber(name: string): number | null {
    return this.get(name) as number | null;
  }
  bool(name: string): boolean {
    return this.get(name) as boolean;
  }
  string(name: string): string | null {
    return this.get(name) as string | null;
  }
  list(name: string): string[] | null {
    return this.get(name) as string[] | null;
  }

  // ---- derived settings ----

  /** node.id if set, else broker.id; -1 means "let the metadata store assign one". */
  get nodeId(): number {
    const n = this.int('node.id');
    return n >= 0 ? n : this.int('broker.id');
  }

  get logDirs(): string[] {
    const dirs = this.list('log.dirs');
    return dirs !== null && dirs.length > 0 ? dirs : [this.string('log.dir')!];
  }

  listeners(): ListenerSpec[] {
    return (this.list('listeners') ?? []).map((l) => parseListener(l)!).filter(Boolean);
  }

  /** Listeners clients talk to: all except KRaft controller listeners (accepted, not served). */
  clientListeners(): ListenerSpec[] {
    const controller = new Set((this.string('controller.listener.names') ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean));
    return this.listeners().filter((l) => !controller.has(l.name));
  }

  /** advertised.listeners entries, falling back per listener to the listener itself, as Kafka does. */
  advertisedListeners(): ListenerSpec[] {
    const adv = new Map((this.list('advertised.listeners') ?? []).map((a) => parseListener(a)!).map((l) => [l.name, l]));
    return this.clientListeners().map((l) => adv.get(l.name) ?? l);
  }

  /** log.retention.ms, else minutes, else hours, in ms; -1 = unlimited. */
  get logRetentionMs(): number {
    const ms = this.optionalNumber('log.retention.ms');
    if (ms !== null) return ms < 0 ? -1 : ms;
    const min = this.optionalNumber('log.retention.minutes');
    if (min !== null) return min < 0 ? -1 : min * 60_000;
    const h = this.int('log.retention.hours');
    return h < 0 ? -1 : h * 3_600_000;
  }

  // ---- dynamic configs ----

  /**
   * Validates a set of dynamic changes (null = delete) for a broker ('broker') or the cluster
   * default ('default') without applying them. Throws ConfigError on the first bad key.
   */
  validateDynamic(scope: 'broker' | 'default', changes: ReadonlyMap<string, string | null>): Map<string, ParsedValue | null> {
    const out = new Map<string, ParsedValue | null>();
    for (const [name, value] of changes) {
      const def = BROKER_CONFIG_DEFS.get(name);
      if (def === undefined) throw unknownKey(name, '');
      const mode = def.dynamic ?? 'read-only';
      if (mode === 'read-only' || (scope === 'default' && mode === 'per-broker')) {
        throw new ConfigError('ERR_CONFIG_INVALID_VALUE', `Cannot update configuration '${name}' dynamically${scope === 'default' ? ' as a cluster default' : ''}`, name);
      }
      out.set(name, value === null ? null : parseValue(def, value));
    }
    return out;
  }

  /** Replaces a dynamic layer entirely (as loaded from the metadata store) and notifies listeners. */
  setDynamic(scope: 'broker' | 'default', values: ReadonlyMap<string, string>): void {
    const parsed = this.validateDynamic(scope, values);
    const layer: Layer = new Map();
    for (const [k, v] of parsed) if (v !== null) layer.set(k, v);
    const old = scope === 'broker' ? this.dynamicBroker : this.dynamicDefault;
    if (scope === 'broker') this.dynamicBroker = layer;
    else this.dynamicDefault = layer;
    const changed = new Set([...old.keys(), ...layer.keys()]);
    if (changed.size > 0) for (const l of this.changeListeners) l([...changed]);
  }

  /** The raw text of a dynamic layer, for persisting. */
  dynamicValues(scope: 'broker' | 'default'): Map<string, string> {
    const layer = scope === 'broker' ? this.dynamicBroker : this.dynamicDefault;
    return new Map([...layer].map(([k, v]) => [k, v.text ?? '']));
  }

  /** Subscribes to dynamic changes; returns an unsubscribe function. */
  onChange(fn: (changedNames: string[]) => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  // ---- DescribeConfigs ----

  /** Every broker config as DescribeConfigs reports it (filter by name in the handler). */
  describe(includeSynonyms: boolean): ConfigEntry[] {
    const out: ConfigEntry[] = [];
    for (const def of BROKER_CONFIG_DEFS.values()) out.push(this.describeOne(def, includeSynonyms));
    return out;
  }

  describeOne(def: ConfigDef, includeSynonyms: boolean): ConfigEntry {
    const { parsed, source } = this.lookup(def.name);
    const sensitive = def.type === 'password';
    return {
      name: def.name,
      value: sensitive ? null : parsed.text,
      source,
      readOnly: (def.dynamic ?? 'read-only') === 'read-only',
      sensitive,
      configType: CONFIG_TYPE_CODE[def.type],
      isDefault: source === ConfigSource.DEFAULT_CONFIG,
      synonyms: includeSynonyms ? this.brokerSynonyms(def.name) : [],
    };
  }

  /** Values of `name` and its spelling variants across layers, most specific first. */
  brokerSynonyms(name: string): ConfigSynonymEntry[] {
    const names = BROKER_SYNONYM_GROUPS.get(name) ?? [name];
    const out: ConfigSynonymEntry[] = [];
    const layers: Array<[Layer, ConfigSourceCode]> = [
      [this.dynamicBroker, ConfigSource.DYNAMIC_BROKER_CONFIG],
      [this.dynamicDefault, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
      [this.staticLayer, ConfigSource.STATIC_BROKER_CONFIG],
    ];
    for (const n of names) {
      const def = BROKER_CONFIG_DEFS.get(n);
      if (def === undefined) continue;
      const sensitive = def.type === 'password';
      for (const [layer, source] of layers) {
        const v = layer.get(n);
        if (v !== undefined) out.push({ name: n, value: sensitive ? null : v.text, source });
      }
      const d = defaultOf(def);
      if (d.text !== null) out.push({ name: n, value: sensitive ? null : d.text, source: ConfigSource.DEFAULT_CONFIG });
    }
    return out;
  }

  /** Parsed value of one broker config in one layer (used by topic-config resolution). */
  layerValues(name: string): Array<{ parsed: ParsedValue; source: ConfigSourceCode }> {
    const out: Array<{ parsed: ParsedValue; source: ConfigSourceCode }> = [];
    const def = BROKER_CONFIG_DEFS.get(name);
    if (def === undefined) return out;
    for (const [layer, source] of [
      [this.dynamicBroker, ConfigSource.DYNAMIC_BROKER_CONFIG],
      [this.dynamicDefault, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
      [this.staticLayer, ConfigSource.STATIC_BROKER_CONFIG],
    ] as Array<[Layer, ConfigSourceCode]>) {
      const v = layer.get(name);
      if (v !== undefined && v.value !== null) out.push({ parsed: v, source });
    }
    const d = defaultOf(def);
    if (d.value !== null) out.push({ parsed: d, source: ConfigSource.DEFAULT_CONFIG });
    return out;
  }
}

const defaultCache = new WeakMap<ConfigDef, ParsedValue>();
export function defaultOf(def: ConfigDef): ParsedValue {
  let v = defaultCache.get(def);
  if (v === undefined) {
    v = parseValue({ ...def, validator: undefined }, def.default);
    defaultCache.set(def, v);
  }
  return v;
}
