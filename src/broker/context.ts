/**
 * BrokerContext: the services a request handler may use. One per broker; handlers receive it in
 * their RequestContext and keep no state of their own.
 */
import type { Clock } from '../common/clock.js';
import type { BrokerConfig } from '../common/config/broker-config.js';
import type { TopicConfig } from '../common/config/topic-config.js';
import type { ListenerSpec } from '../common/config/broker-defs.js';
import type { Logger } from '../common/logger.js';
import type { MetadataStore } from './metadata/metadata-store.js';
import type { GroupService } from './group/group-service.js';
import type { FetchSessionCache } from './replica/fetch-session.js';
import type { ReplicaManager } from './replica/replica-manager.js';
import type { TopicManager } from './topic-manager.js';
import type { ProducerIdManager } from './txn/producer-id-manager.js';

export interface BrokerContext {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metadata: MetadataStore;
  readonly topics: TopicManager;
  readonly replicas: ReplicaManager;
  readonly fetchSessions: FetchSessionCache;
  readonly producerIds: ProducerIdManager;
  /**
   * Consumer groups and committed offsets (the group coordinator). Started on first need: reading it
   * before `startGroups()` has resolved throws (handlers that use it start it in `prepare`).
   */
  readonly groups: GroupService;
  /** Starts the group coordinator, once; loads __consumer_offsets if it exists. */
  startGroups(): Promise<void>;
  /** The effective config of a topic (overrides over broker defaults). */
  topicConfig(topic: string): TopicConfig | undefined;
  /** How clients reach this broker on the listener a request arrived on. */
  advertisedListener(listenerName: string): ListenerSpec;
  /** (apiKey, min, max) of every API served, for ApiVersions. */
  supportedVersions(): Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
}
