export * from './protocol/primitives/index.js';
export { startBroker, type Broker, type BrokerOptions, type BoundListener } from './broker/index.js';
export { BrokerConfig, TopicConfig, parseProperties, ConfigSource, BROKER_CONFIG_DEFS, TOPIC_CONFIG_DEFS } from './common/config/index.js';
export { type Clock, ManualClock, systemClock } from './common/clock.js';
export { createLogger, type Logger } from './common/logger.js';
export { VltavaError, ConfigError, ConfigErrors } from './common/errors.js';
export * from './client/index.js';
