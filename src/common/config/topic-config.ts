/**
 * A topic's effective configuration: its own overrides (TOPIC_CONFIG) over the broker synonyms
 * (dynamic, static, Kafka default — converted to the topic's unit) over the topic default.
 * `TopicConfig` is an immutable snapshot; when overrides or broker dynamic configs change, the
 * owner builds a new one and hands it to the log.
 */
import { ConfigError } from '../errors.js';
import type { BrokerConfig, ConfigEntry, ConfigSynonymEntry } from './broker-config.js';
import { defaultOf } from './broker-config.js';
import { fromSynonym, TOPIC_CONFIG_DEFS, type TopicConfigDef } from './topic-defs.js';
import { CONFIG_TYPE_CODE, ConfigSource, type ConfigSourceCode, type ConfigValue, closestName, type ParsedValue, parseValue } from './types.js';

/** Validates raw topic overrides (CreateTopics configs, AlterConfigs); throws ConfigError naming the key. */
export function validateTopicConfigs(raw: ReadonlyMap<string, string | null> | Record<string, string | null>): Map<string, string> {
  const entries = raw instanceof Map ? [...raw] : Object.entries(raw);
  const out = new Map<string, string>();
  for (const [name, value] of entries) {
    const def = TOPIC_CONFIG_DEFS.get(name);
    if (def === undefined) {
      const hint = closestName(name, TOPIC_CONFIG_DEFS.keys());
      throw new ConfigError('ERR_CONFIG_UNKNOWN_KEY', `Unknown topic config name: ${name}${hint ? ` (did you mean '${hint}'?)` : ''}`, name);
    }
    if (value === null) {
      throw new ConfigError('ERR_CONFIG_INVALID_VALUE', `Null value not supported for topic config '${name}'`, name);
    }
    const parsed = parseValue(def, value);
    out.set(name, parsed.text ?? '');
  }
  return out;
}

interface Resolved {
  parsed: ParsedValue;
  source: ConfigSourceCode;
}

export class TopicConfig {
  private readonly values = new Map<string, Resolved>();

  constructor(
    private readonly broker: BrokerConfig,
    /** The topic's own overrides, already validated. */
    readonly overrides: ReadonlyMap<string, string> = new Map(),
  ) {
    for (const def of TOPIC_CONFIG_DEFS.values()) this.values.set(def.name, this.resolveOne(def));
  }

  private resolveOne(def: TopicConfigDef): Resolved {
    const own = this.overrides.get(def.name);
    if (own !== undefined) return { parsed: parseValue(def, own), source: ConfigSource.TOPIC_CONFIG };
    // The first synonym with a value in the most specific layer wins; Kafka's defaults of the
    // broker synonyms count too (log.retention.hours=168 is why retention.ms is 604800000).
    for (const layerOrder of [ConfigSource.DYNAMIC_BROKER_CONFIG, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, ConfigSource.STATIC_BROKER_CONFIG, ConfigSource.DEFAULT_CONFIG]) {
      for (const syn of def.synonyms) {
        const hit = this.broker.layerValues(syn.name).find((v) => v.source === layerOrder);
        if (hit) return { parsed: fromSynonym(syn, hit.parsed), source: hit.source };
      }
    }
    return { parsed: defaultOf(def), source: ConfigSource.DEFAULT_CONFIG };
  }

  get(name: string): ConfigValue {
    const r = this.values.get(name);
    if (r === undefined) throw new ConfigError('ERR_CONFIG_UNKNOWN_KEY', `Unknown topic config name: ${name}`, name);
    return r.parsed.value;
  }

  number(name: string): number {
    return this.get(name) as number;
  }

  // Typed shortcuts for what the broker and storage read on hot paths.
  get cleanupPolicy(): string[] {
    return this.get('cleanup.policy') as string[];
  }
  get compacted(): boolean {
    return this.cleanupPolicy.includes('compact');
  }
  get retentionMs(): number {
    return this.number('retention.ms');
  }
  get retentionBytes(): number {
    return this.number('retention.bytes');
  }
  get segmentBytes(): number {
    return this.number('segment.bytes');
  }
  get segmentMs(): number {
    return this.number('segment.ms');
  }
  get segmentIndexBytes(): number {
    return this.number('segment.index.bytes');
  }
  get indexIntervalBytes(): number {
    return this.number('index.interval.bytes');
  }
  get maxMessageBytes(): number {
    return this.number('max.message.bytes');
  }
  get minInsyncReplicas(): number {
    return this.number('min.insync.replicas');
  }
  get flushMessages(): number {
    return this.number('flush.messages');
  }
  get flushMs(): number {
    return this.number('flush.ms');
  }
  get messageTimestampType(): 'CreateTime' | 'LogAppendTime' {
    return this.get('message.timestamp.type') as 'CreateTime' | 'LogAppendTime';
  }
  get compressionType(): string {
    return this.get('compression.type') as string;
  }
  get fileDeleteDelayMs(): number {
    return this.number('file.delete.delay.ms');
  }

  /** Every effective value as Kafka-named text (what storage's logConfigFromProperties reads). */
  toProperties(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, r] of this.values) if (r.parsed.text !== null) out[name] = r.parsed.text;
    return out;
  }

  /** DescribeConfigs entries for this topic. */
  describe(includeSynonyms: boolean): ConfigEntry[] {
    const out: ConfigEntry[] = [];
    for (const def of TOPIC_CONFIG_DEFS.values()) {
      if (def.ignored && !this.overrides.has(def.name)) continue;
      const r = this.values.get(def.name)!;
      const sensitive = def.type === 'password';
      out.push({
        name: def.name,
        value: sensitive ? null : r.parsed.text,
        source: r.source,
        readOnly: false,
        sensitive,
        configType: CONFIG_TYPE_CODE[def.type],
        isDefault: r.source === ConfigSource.DEFAULT_CONFIG,
        synonyms: includeSynonyms ? this.synonymsOf(def) : [],
      });
    }
    return out;
  }

  private synonymsOf(def: TopicConfigDef): ConfigSynonymEntry[] {
    const out: ConfigSynonymEntry[] = [];
    const own = this.overrides.get(def.name);
    if (own !== undefined) out.push({ name: def.name, value: parseValue(def, own).text, source: ConfigSource.TOPIC_CONFIG });
    for (const syn of def.synonyms) {
      for (const v of this.broker.layerValues(syn.name)) out.push({ name: syn.name, value: v.parsed.text, source: v.source });
    }
    return out;
  }
}
