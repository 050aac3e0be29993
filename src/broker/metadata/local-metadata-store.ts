/**
 * LocalMetadataStore: the single-node metadata store. Owns `vltava-metadata.json` in the first
 * log dir (or nothing, when in-memory). The file is a JSON snapshot rewritten atomically (write
 * temp, fsync, rename, fsync dir) after every mutation, so topics, ids and configs survive a crash
 * at any point: a reader sees the old or the new snapshot, never a torn one.
 * Concurrency: mutations queue on one promise chain; each resolves after its snapshot is durable.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { VltavaError } from '../../common/errors.js';
import type { BrokerRegistration, MetadataChange, MetadataStore, PartitionState, TopicState } from './metadata-store.js';
import { randomUuid, uuidFromString, uuidToString } from './uuid.js';

export const METADATA_FILE = 'vltava-metadata.json';

interface Snapshot {
  version: 1;
  clusterId: string;
  nodeId: number;
  topics: Array<{ name: string; topicId: string; partitions: PartitionState[]; configs: Record<string, string> }>;
  brokerConfigs: Record<string, Record<string, string>>;
  /** First producer id not yet handed out in a block (absent in files written before it existed). */
  nextProducerIdBlockStart?: number;
}

export interface LocalMetadataStoreOptions {
  /** Directory for the snapshot file; undefined = in memory only. */
  dir?: string;
  /** broker.id / node.id from config; -1 = use the persisted id, or 0 for a new store. */
  nodeId: number;
  /** How clients reach this broker (for Metadata's broker list). */
  registration: () => Omit<BrokerRegistration, 'nodeId'>;
}

export class LocalMetadataStore implements MetadataStore {
  clusterId = '';
  nodeId = 0;
  private readonly byName = new Map<string, TopicState>();
  private readonly byId = new Map<string, TopicState>();
  private readonly brokerConfigMap = new Map<string, Map<string, string>>();
  private readonly listeners = new Set<(c: MetadataChange) => void>();
  private chain: Promise<unknown> = Promise.resolve();
  private nextProducerIdBlockStart = 0;
  private closed = false;

  private constructor(private readonly opts: LocalMetadataStoreOptions) {}

  static async open(opts: LocalMetadataStoreOptions): Promise<LocalMetadataStore> {
    const store = new LocalMetadataStore(opts);
    await store.load();
    return store;
  }

  get controllerId(): number {
    return this.nodeId;
  }

  private get file(): string | undefined {
    return this.opts.dir === undefined ? undefined : join(this.opts.dir, METADATA_FILE);
  }

  private async load(): Promise<void> {
    let snap: Snapshot | undefined;
    if (this.file !== undefined) {
      await mkdir(this.opts.dir!, { recursive: true });
      try {
        snap = JSON.parse(await readFile(this.file, 'utf8')) as Snapshot;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw new VltavaError('ERR_METADATA_CORRUPT', `cannot read ${this.file}: ${(err as Error).message}`, { cause: err });
        }
      }
    }
    if (snap === undefined) {
      this.clusterId = uuidToString(randomUuid());
      this.nodeId = Math.max(this.opts.nodeId, 0);
      await this.persist();
      return;
    }
    if (this.opts.nodeId >= 0 && snap.nodeId !== this.opts.nodeId) {
      // Kafka refuses the same: a log dir belongs to one broker id (InconsistentBrokerIdException).
      throw new VltavaError(
        'ERR_METADATA_BROKER_ID',
        `configured broker id ${this.opts.nodeId} does not match ${snap.nodeId} stored in ${this.file}`,
      );
    }
    this.clusterId = snap.clusterId;
    this.nodeId = snap.nodeId;
    this.nextProducerIdBlockStart = snap.nextProducerIdBlockStart ?? 0;
    for (const t of snap.topics) {
      const topic: TopicState = { name: t.name, topicId: uuidFromString(t.topicId), partitions: t.partitions, configs: new Map(Object.entries(t.configs)) };
      this.byName.set(topic.name, topic);
      this.byId.set(t.topicId, topic);
    }
    for (const [scope, values] of Object.entries(snap.brokerConfigs)) this.brokerConfigMap.set(scope, new Map(Object.entries(values)));
  }

  private snapshot(): Snapshot {
    return {
      version: 1,
      clusterId: this.clusterId,
      nodeId: this.nodeId,
      topics: [...this.byName.values()].map((t) => ({
        name: t.name,
        topicId: uuidToString(t.topicId),
        partitions: t.partitions,
        configs: Object.fromEntries(t.configs),
      })),
      brokerConfigs: Object.fromEntries([...this.brokerConfigMap].map(([k, v]) => [k, Object.fromEntries(v)])),
      nextProducerIdBlockStart: this.nextProducerIdBlockStart,
    };
  }

  private async persist(): Promise<void> {
    const file = this.file;
    if (file === undefined) return;
    const tmp = `${file}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify(this.snapshot(), null, 1));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
    const dh = await open(this.opts.dir!, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  /** Runs a mutation after all earlier ones, persists, then notifies. */
  private mutate<T>(fn: () => { result: T; changes: MetadataChange[] }): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new VltavaError('ERR_CLOSED', 'metadata store is closed');
      const { result, changes } = fn();
      await this.persist();
      for (const c of changes) for (const l of this.listeners) l(c);
      return result;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  topics(): Iterable<TopicState> {
    return this.byName.values();
  }

  topic(name: string): TopicState | undefined {
    return this.byName.get(name);
  }

  topicById(topicId: Buffer): TopicState | undefined {
    return this.byId.get(uuidToString(topicId));
  }

  brokers(): BrokerRegistration[] {
    return [{ nodeId: this.nodeId, ...this.opts.registration() }];
  }

  createTopic(t: Omit<TopicState, 'topicId'> & { topicId?: Buffer }): Promise<TopicState> {
    return this.mutate(() => {
      if (this.byName.has(t.name)) throw new VltavaError('ERR_TOPIC_EXISTS', `Topic '${t.name}' already exists.`);
      const topic: TopicState = { ...t, topicId: t.topicId ?? randomUuid() };
      this.byName.set(topic.name, topic);
      this.byId.set(uuidToString(topic.topicId), topic);
      return { result: topic, changes: [{ type: 'topic-created', topic }] };
    });
  }

  deleteTopic(name: string): Promise<TopicState | undefined> {
    return this.mutate(() => {
      const topic = this.byName.get(name);
      if (topic === undefined) return { result: undefined, changes: [] };
      this.byName.delete(name);
      this.byId.delete(uuidToString(topic.topicId));
      return { result: topic, changes: [{ type: 'topic-deleted', topic }] };
    });
  }

  addPartitions(name: string, partitions: PartitionState[]): Promise<TopicState> {
    return this.mutate(() => {
      const topic = this.mustGet(name);
      const from = topic.partitions.length;
      topic.partitions.push(...partitions);
      return { result: topic, changes: [{ type: 'partitions-added', topic, from }] };
    });
  }

  setTopicConfigs(name: string, configs: Map<string, string>): Promise<TopicState> {
    return this.mutate(() => {
      const topic = this.mustGet(name);
      topic.configs = new Map(configs);
      return { result: topic, changes: [{ type: 'topic-configs-changed', topic }] };
    });
  }

  updatePartition(name: string, state: PartitionState): Promise<void> {
    return this.mutate(() => {
      const topic = this.mustGet(name);
      topic.partitions[state.partition] = state;
      return { result: undefined, changes: [{ type: 'partition-changed', topic, partition: state.partition }] };
    });
  }

  brokerConfigs(scope: 'default' | number): Map<string, string> {
    return new Map(this.brokerConfigMap.get(String(scope)) ?? []);
  }

  setBrokerConfigs(scope: 'default' | number, configs: Map<string, string>): Promise<void> {
    return this.mutate(() => {
      if (configs.size === 0) this.brokerConfigMap.delete(String(scope));
      else this.brokerConfigMap.set(String(scope), new Map(configs));
      return { result: undefined, changes: [{ type: 'broker-configs-changed', scope }] };
    });
  }

  allocateProducerIdBlock(count: number): Promise<{ firstProducerId: number; count: number }> {
    return this.mutate(() => {
      const firstProducerId = this.nextProducerIdBlockStart;
      this.nextProducerIdBlockStart += count;
      return { result: { firstProducerId, count }, changes: [] };
    });
  }

  onChange(listener: (change: MetadataChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.chain;
    this.closed = true;
  }

  private mustGet(name: string): TopicState {
    const t = this.byName.get(name);
    if (t === undefined) throw new VltavaError('ERR_UNKNOWN_TOPIC', `Topic '${name}' does not exist.`);
    return t;
  }
}
