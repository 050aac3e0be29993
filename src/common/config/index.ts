export * from './types.js';
export * from './properties.js';
export { BROKER_CONFIG_DEFS, IGNORED_PREFIXES, parseListener, type ListenerSpec } from './broker-defs.js';
export { TOPIC_CONFIG_DEFS, COMPRESSION_TYPES, TIMESTAMP_TYPES, type TopicConfigDef, type BrokerSynonym } from './topic-defs.js';
export { BrokerConfig, type ConfigEntry, type ConfigSynonymEntry, type BrokerConfigOptions, isIgnoredName } from './broker-config.js';
export { TopicConfig, validateTopicConfigs } from './topic-config.js';
