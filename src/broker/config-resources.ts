/**
 * Describe and alter configs of config resources (topics and brokers) for DescribeConfigs,
 * AlterConfigs and IncrementalAlterConfigs. Validation and persistence live here so the three
 * handlers only translate wire shapes. Errors are KafkaProtocolError with Kafka's codes.
 */
import type { ConfigEntry } from '../common/config/broker-config.js';
import { TOPIC_CONFIG_DEFS } from '../common/config/topic-defs.js';
import { TopicConfig, validateTopicConfigs } from '../common/config/topic-config.js';
import { ConfigSource } from '../common/config/types.js';
import { ConfigError } from '../common/errors.js';
import type { BrokerContext } from './context.js';
import { E, KafkaProtocolError } from './errors.js';
import { validateTopicName } from './topic-manager.js';
import { BROKER_CONFIG_DEFS } from '../common/config/broker-defs.js';

export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;
export const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

type BrokerScope = 'default' | 'broker';

function brokerScope(ctx: BrokerContext, resourceName: string): BrokerScope {
  if (resourceName === '') return 'default';
  if (resourceName === String(ctx.nodeId)) return 'broker';
  throw new KafkaProtocolError(E.INVALID_REQUEST, `Unexpected broker id, expected ${ctx.nodeId} or empty string, but received ${resourceName}`);
}

function topicOrThrow(ctx: BrokerContext, name: string) {
  validateTopicName(name);
  const t = ctx.metadata.topic(name);
  if (t === undefined) throw new KafkaProtocolError(E.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
  return t;
}

/** Config entries of one resource (all of them; the handler filters by requested keys). */
export function describeResource(ctx: BrokerContext, resourceType: number, resourceName: string, includeSynonyms: boolean): ConfigEntry[] {
  if (resourceType === ResourceType.TOPIC) {
    const t = topicOrThrow(ctx, resourceName);
    return new TopicConfig(ctx.config, t.configs).describe(includeSynonyms);
  }
  if (resourceType === ResourceType.BROKER) {
    if (brokerScope(ctx, resourceName) === 'broker') return ctx.config.describe(includeSynonyms);
    // The empty name is the cluster-wide dynamic default: only what was set there.
    return [...ctx.config.dynamicValues('default')].map(([name, value]) => {
      const def = BROKER_CONFIG_DEFS.get(name)!;
      const e = ctx.config.describeOne(def, includeSynonyms);
      return { ...e, value, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, isDefault: false };
    });
  }
  if (resourceType === ResourceType.BROKER_LOGGER) {
    brokerScope(ctx, resourceName);
    return [];
  }
  throw new KafkaProtocolError(E.INVALID_REQUEST, `Unsupported resource type ${resourceType}`);
}

/** Computes the new override set from incremental operations (APPEND/SUBTRACT only on lists). */
function applyIncremental(
  current: Map<string, string>,
  ops: Array<{ name: string; op: number; value: string | null }>,
  isList: (name: string) => boolean,
  defaultText: (name: string) => string | null,
): Map<string, string> {
  const next = new Map(current);
  const seen = new Set<string>();
  for (const { name, op, value } of ops) {
    if (seen.has(name)) throw new KafkaProtocolError(E.INVALID_REQUEST, `Error due to duplicate config keys: ${name}`);
    seen.add(name);
    switch (op) {
      case AlterOp.SET:
        if (value === null) throw new KafkaProtocolError(E.INVALID_REQUEST, `Null value not supported for : ${name}`);
        next.set(name, value);
        break;
      case AlterOp.DELETE:
        next.delete(name);
        break;
      case AlterOp.APPEND:
      case AlterOp.SUBTRACT: {
        if (!isList(name)) throw new KafkaProtocolError(E.INVALID_CONFIG, `Config value append is not allowed for config key: ${name}`);
        const base = (next.get(name) ?? defaultText(name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const out = op === AlterOp.APPEND ? [...base, ...items.filter((i) => !base.includes(i))] : base.filter((b) => !items.includes(b));
        next.set(name, out.join(','));
        break;
      }
      default:
        throw new KafkaProtocolError(E.INVALID_REQUEST, `Unknown config operation ${op} for ${name}`);
    }
  }
  return next;
}

function asProtocolError(err: unknown): never {
  if (err instanceof ConfigError) {
    throw new KafkaProtocolError(/dynamically/.test(err.message) ? E.INVALID_REQUEST : E.INVALID_CONFIG, err.message);
  }
  throw err;
}

/**
 * Alters one resource. `mode` 'replace' is AlterConfigs (the given set becomes the whole override
 * set); 'incremental' is IncrementalAlterConfigs. Persists unless validateOnly.
 */
export async function alterResource(
  ctx: BrokerContext,
  resourceType: number,
  resourceName: string,
  mode: 'replace' | 'incremental',
  ops: Array<{ name: string; op: number; value: string | null }>,
  validateOnly: boolean,
): Promise<void> {
  if (resourceType === ResourceType.TOPIC) {
    const t = topicOrThrow(ctx, resourceName);
    let next: Map<string, string>;
    if (mode === 'replace') {
      next = new Map();
      for (const o of ops) {
        if (o.value === null) throw new KafkaProtocolError(E.INVALID_REQUEST, `Null value not supported for topic configs: ${o.name}`);
        next.set(o.name, o.value);
      }
    } else {
      next = applyIncremental(
        t.configs,
        ops,
        (n) => TOPIC_CONFIG_DEFS.get(n)?.type === 'list',
        (n) => new TopicConfig(ctx.config, t.configs).toProperties()[n] ?? null,
      );
    }
    let validated: Map<string, string>;
    try {
      validated = validateTopicConfigs(next);
    } catch (err) {
      asProtocolError(err);
    }
    if (!validateOnly) await ctx.topics.setTopicConfigs(t.name, validated);
    return;
  }
  if (resourceType === ResourceType.BROKER) {
    const scope = brokerScope(ctx, resourceName);
    const current = ctx.config.dynamicValues(scope);
    const next =
      mode === 'replace'
        ? new Map(ops.filter((o) => o.value !== null).map((o) => [o.name, o.value!] as [string, string]))
        : applyIncremental(current, ops, (n) => BROKER_CONFIG_DEFS.get(n)?.type === 'list', (n) => ctx.config.resolve(n).text);
    try {
      ctx.config.validateDynamic(scope, next);
    } catch (err) {
      asProtocolError(err);
    }
    if (validateOnly) return;
    const storeScope = scope === 'default' ? 'default' : ctx.nodeId;
    await ctx.metadata.setBrokerConfigs(storeScope, next);
    ctx.config.setDynamic(scope, next);
    return;
  }
  if (resourceType === ResourceType.BROKER_LOGGER) {
    throw new KafkaProtocolError(E.INVALID_REQUEST, 'Altering broker logger levels is not supported');
  }
  throw new KafkaProtocolError(E.INVALID_REQUEST, `Unsupported resource type ${resourceType}`);
}
