/**
 * startBroker: assembles one broker — config, metadata store, log manager, replica manager, topic
 * manager, request dispatcher and one socket server per client listener — and returns a handle
 * with the bound addresses and close(). Used by `vltava server start` and by tests
 * (`startBroker({ port: 0, storage: 'memory' })`).
 *
 * Start order: metadata store (it names the node and cluster) -> log manager (loads logs; topic
 * configs come from the store) -> replicas for every known topic -> listeners. Close order is the
 * reverse: stop accepting and drain connections, answer waiting requests, flush and checkpoint
 * logs, settle the metadata store.
 */
import { type Clock, systemClock } from '../common/clock.js';
import { BrokerConfig } from '../common/config/broker-config.js';
import type { ListenerSpec } from '../common/config/broker-defs.js';
import { TopicConfig } from '../common/config/topic-config.js';
import { type Logger, silentLogger } from '../common/logger.js';
import type { BrokerContext } from './context.js';
import { RequestDispatcher } from './dispatcher.js';
import type { GroupService } from './group/group-service.js';
import { GROUP_METADATA_TOPIC } from './group/partitioner.js';
import { HANDLERS } from './handlers/index.js';
import { LocalMetadataStore } from './metadata/local-metadata-store.js';
import { SocketServer } from './net/socket-server.js';
import { FetchSessionCache } from './replica/fetch-session.js';
import { ProducerIdManager } from './txn/producer-id-manager.js';
import { LogManagerProvider } from './replica/log-manager-provider.js';
import type { LogProvider } from './replica/log-provider.js';
import { ReplicaManager } from './replica/replica-manager.js';
import { TopicManager } from './topic-manager.js';

export interface BrokerOptions {
  /** Kafka broker configs (Kafka's names), or a loaded BrokerConfig. */
  config?: BrokerConfig | Record<string, string | number | boolean>;
  /** Shorthand for listeners=PLAINTEXT://host:port; 0 picks a free port. Wins over config. */
  port?: number;
  /** Host for the `port` shorthand (default 127.0.0.1). */
  host?: string;
  /** 'memory' keeps logs and metadata in memory only (no files at all). Default 'disk' (log.dirs). */
  storage?: 'disk' | 'memory';
  logger?: Logger;
  clock?: Clock;
}

export interface BoundListener {
  name: string;
  host: string;
  port: number;
}

export interface Broker {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly config: BrokerConfig;
  /** Bound addresses, one per client listener (ports resolved when 0 was asked). */
  readonly listeners: BoundListener[];
  /** "host:port" of the first listener, ready for a client's bootstrap.servers. */
  readonly bootstrapServers: string;
  readonly dispatcher: RequestDispatcher;
  readonly context: BrokerContext;
  close(): Promise<void>;
}

function resolveConfig(options: BrokerOptions): BrokerConfig {
  const base = options.config instanceof BrokerConfig ? options.config : undefined;
  if (options.port === undefined) return base ?? BrokerConfig.of((options.config as Record<string, string>) ?? {});
  const host = options.host ?? '127.0.0.1';
  const listeners = `PLAINTEXT://${host.includes(':') ? `[${host}]` : host}:${options.port}`;
  if (base) {
    // Re-derive with the listener overridden; a BrokerConfig is immutable apart from dynamic layers.
    const entries = [...base.describe(false)].filter((e) => base.isSet(e.name) && e.value !== null).map((e) => ({ key: e.name, value: e.value! }));
    return BrokerConfig.from([...entries, { key: 'listeners', value: listeners }, { key: 'advertised.listeners', value: listeners }]);
  }
  return BrokerConfig.of({ ...((options.config as Record<string, string>) ?? {}), listeners, 'advertised.listeners': listeners });
}

export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const config = resolveConfig(options);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const inMemory = options.storage === 'memory';

  const listenerSpecs = config.clientListeners();
  const bound: BoundListener[] = [];
  const advertised = new Map<string, ListenerSpec>();

  const metadata = await LocalMetadataStore.open({
    dir: inMemory ? undefined : config.logDirs[0],
    nodeId: config.nodeId,
    registration: () => {
      const first = bound[0] ?? { host: 'localhost', port: 9092 };
      return { host: advertised.get(first.name ?? 'PLAINTEXT')?.host ?? first.host, port: advertised.get(first.name ?? 'PLAINTEXT')?.port ?? first.port, rack: config.string('broker.rack') };
    },
  });
  config.setDynamic('default', metadata.brokerConfigs('default'));
  config.setDynamic('broker', metadata.brokerConfigs(metadata.nodeId));

  const topicConfigFor = (topic: string) => {
    const t = metadata.topic(topic);
    return t ? new TopicConfig(config, t.configs) : undefined;
  };
  // Memory storage (tests, embedding) is imported only when asked for.
  const logs: LogProvider = inMemory
    ? new (await import('./replica/memory-log-provider.js')).MemoryLogProvider(clock)
    : await LogManagerProvider.start({ config, metadata, clock, logger });
  const replicas = new ReplicaManager({ nodeId: metadata.nodeId, clock, logger, logs });
  const topics = new TopicManager(metadata.nodeId, config, metadata, replicas, logger);

  for (const t of metadata.topics()) await replicas.becomeLeaderOrFollower(t, topics.topicConfig(t));
  // Dynamic broker config changes alter the effective config of topics without overrides.
  config.onChange(() => {
    for (const t of metadata.topics()) replicas.updateTopicConfig(t, topics.topicConfig(t));
  });

  // The group coordinator starts with the first request that needs it (the group handlers'
  // prepare), which keeps its modules out of startup. If __consumer_offsets exists, it starts now and
  // loads the offsets before the listeners open, so groups are served at once.
  let groups: GroupService | undefined;
  let groupsStarting: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  const startGroups = (): Promise<void> => {
    if (closing !== undefined && groupsStarting === undefined) {
      return Promise.reject(new Error('the broker is closing; the group coordinator is not started'));
    }
    groupsStarting ??= (async () => {
      const { GroupService } = await import('./group/group-service.js');
      const service = new GroupService({ config, clock, logger, replicas, topics, metadata });
      try {
        await service.startup();
      } catch (err) {
        await service.shutdown().catch(() => undefined);
        throw err;
      }
      groups = service;
    })().catch((err: unknown) => {
      groupsStarting = undefined; // the next request that needs the coordinator tries again
      throw err;
    });
    return groupsStarting;
  };
  if (metadata.topic(GROUP_METADATA_TOPIC) !== undefined) await startGroups();

  let dispatcher!: RequestDispatcher;
  const context: BrokerContext = {
    nodeId: metadata.nodeId,
    clusterId: metadata.clusterId,
    config,
    clock,
    logger,
    metadata,
    topics,
    replicas,
    fetchSessions: new FetchSessionCache(1000),
    producerIds: new ProducerIdManager(metadata),
    get groups(): GroupService {
      if (groups === undefined) throw new Error('the group coordinator is not started (see BrokerContext.startGroups)');
      return groups;
    },
    startGroups,
    topicConfig: topicConfigFor,
    advertisedListener: (name) => advertised.get(name) ?? advertised.values().next().value!,
    supportedVersions: () => dispatcher.supportedVersions(),
  };
  dispatcher = new RequestDispatcher(HANDLERS, context, logger);

  const servers: SocketServer[] = [];
  const advertisedSpecs = new Map(config.advertisedListeners().map((l) => [l.name, l]));
  try {
    for (const l of listenerSpecs) {
      const server = new SocketServer({
        handler: dispatcher.handle,
        listenerName: l.name,
        host: l.host,
        port: l.port,
        maxRequestBytes: config.int('socket.request.max.bytes'),
        idleTimeoutMs: config.long('connections.max.idle.ms'),
        maxConnections: config.int('max.connections'),
        backlog: config.int('socket.listen.backlog.size'),
        clock,
        logger,
      });
      const addr = await server.listen();
      servers.push(server);
      bound.push({ name: l.name, host: l.host === '' ? '0.0.0.0' : l.host, port: addr.port });
      const adv = advertisedSpecs.get(l.name) ?? l;
      // Port 0 (or an empty host) in an advertised listener means "what we actually bound".
      advertised.set(l.name, {
        name: l.name,
        host: adv.host === '' || adv.host === '0.0.0.0' || adv.host === '::' ? 'localhost' : adv.host,
        port: adv.port === 0 ? addr.port : adv.port,
      });
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    await groups?.shutdown();
    await replicas.close();
    await metadata.close();
    throw err;
  }

  const first = bound[0]!;
  return {
    nodeId: metadata.nodeId,
    clusterId: metadata.clusterId,
    config,
    listeners: bound,
    bootstrapServers: `${advertised.get(first.name)!.host}:${advertised.get(first.name)!.port}`,
    dispatcher,
    context,
    close() {
      closing ??= (async () => {
        // Answer parked long polls first so connections can drain their in-flight responses.
        replicas.fetchPurgatory.forceCompleteAll();
        replicas.producePurgatory.forceCompleteAll();
        // Waiting JoinGroup / SyncGroup responses are answered NOT_COORDINATOR, timers stopped.
        await groupsStarting?.catch(() => undefined);
        await groups?.shutdown();
        await Promise.all(servers.map((s) => s.close()));
        await replicas.close();
        await metadata.close();
        logger.info('broker stopped');
      })();
      return closing;
    },
  };
}
