/**
 * Producer<K, V>: typed records in, per-record delivery promises out.
 *
 *   const p = new Producer({ bootstrapServers, keySerializer: serializers.string, valueSerializer: serializers.json });
 *   await p.connect();
 *   const md = await p.send({ topic: 'orders', key: 'o-1', value: { total: 3 } });
 *   await p.sendBatch([...]);     // all records, one promise
 *   await p.flush(); await p.close();
 *
 * Defaults follow the Java producer: acks=all, idempotence on, linger.ms=5, batch.size=16384,
 * buffer.memory=32 MiB, delivery.timeout.ms=120000, max.in.flight=5, retries unbounded within
 * the delivery timeout. Idempotence needs InitProducerId: against a broker without it the
 * producer logs a warning and carries on non-idempotent (retries may then duplicate).
 * Explicitly asking for idempotence with acks != all is an error, as in Java; the implicit
 * default quietly turns off instead.
 */
import { ApiKeys, type InitProducerIdResponse } from '../../protocol/messages/index.js';
import type { CompressionType } from '../../protocol/records/batch-header.js';
import type { RecordInput } from '../../protocol/records/record.js';
import { ClientError, KafkaError } from '../errors.js';
import { Cluster } from '../net/cluster.js';
import { withRetries } from '../net/retry.js';
import type { ClientOptions } from '../options.js';
import { estimateRecordSize, RecordAccumulator, type RecordMetadata } from './accumulator.js';
import { murmur2Partitioner, type Partitioner, StickyPartitionCache } from './partitioners.js';
import { Sender } from './sender.js';
import { type Serializer, serializers } from './serializers.js';

export type { RecordMetadata };

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
const COMPRESSION: Record<Compression, CompressionType> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as Record<
  Compression,
  CompressionType
>;

export type HeaderValue = string | Buffer | null;

export interface ProducerRecord<K, V> {
  topic: string;
  key?: K | null;
  value: V | null;
  /** Explicit partition; skips the partitioner. */
  partition?: number;
  headers?: Record<string, HeaderValue> | Array<{ key: string; value: HeaderValue }>;
  /** CreateTime in ms (default: now). */
  timestamp?: number;
}

export interface ProducerOptions<K = Buffer, V = Buffer> extends ClientOptions {
  keySerializer?: Serializer<K>;
  valueSerializer?: Serializer<V>;
  /** 0, 1 or 'all' (-1). Default 'all'. */
  acks?: 0 | 1 | -1 | 'all';
  /** enable.idempotence (default true; turned off quietly if acks/max in flight conflict). */
  idempotent?: boolean;
  compression?: Compression;
  lingerMs?: number;
  batchSize?: number;
  bufferMemory?: number;
  /** max.block.ms: how long `send` waits for buffer space (default 60000). */
  maxBlockMs?: number;
  deliveryTimeoutMs?: number;
  retries?: number;
  maxInFlightRequestsPerConnection?: number;
  maxRequestSize?: number;
  /** Default: murmur2 for keyed records, sticky (KIP-480) for keyless ones. */
  partitioner?: Partitioner;
  /** allow.auto.create.topics: ask the broker to create unknown topics (default true). */
  allowAutoTopicCreation?: boolean;
}

export class Producer<K = Buffer, V = Buffer> {
  readonly cluster: Cluster;
  private readonly acc: RecordAccumulator;
  private readonly sender: Sender;
  private readonly sticky = new StickyPartitionCache();
  private readonly keySerializer: Serializer<K>;
  private readonly valueSerializer: Serializer<V>;
  private readonly partitioner: Partitioner | undefined;
  private readonly idempotenceRequested: boolean;
  private idempotenceExplicit: boolean;
  private connecting: Promise<void> | undefined;
  private ready = false;
  /** Sends waiting for connect/metadata, chained so they append in call order. */
  private chain: Promise<void> = Promise.resolve();
  private waiting = 0;
  private closed = false;
  readonly acks: number;

  constructor(readonly options: ProducerOptions<K, V>) {
    this.cluster = new Cluster(options);
    this.cluster.allowAutoTopicCreation = options.allowAutoTopicCreation ?? true;
    this.keySerializer = options.keySerializer ?? (serializers.buffer as unknown as Serializer<K>);
    this.valueSerializer = options.valueSerializer ?? (serializers.buffer as unknown as Serializer<V>);
    this.partitioner = options.partitioner;
    this.acks = options.acks === 'all' || options.acks === undefined ? -1 : options.acks;
    const maxInFlight = options.maxInFlightRequestsPerConnection ?? 5;
    this.idempotenceExplicit = options.idempotent === true;
    const conflicts = this.acks !== -1 || maxInFlight > 5 || options.retries === 0;
    if (this.idempotenceExplicit && conflicts) {
      throw new ClientError(
        'ERR_CLIENT_INVALID_ARGUMENT',
        'idempotence requires acks=all, retries > 0 and maxInFlightRequestsPerConnection <= 5',
      );
    }
    this.idempotenceRequested = options.idempotent ?? !conflicts;
    const lingerMs = options.lingerMs ?? 5;
    const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;
    this.acc = new RecordAccumulator({
      batchSize: options.batchSize ?? 16_384,
      lingerMs,
      bufferMemory: options.bufferMemory ?? 32 * 1024 * 1024,
      maxBlockMs: options.maxBlockMs ?? 60_000,
      deliveryTimeoutMs,
    });
    const o = this.cluster.options;
    this.sender = new Sender(
      this.cluster,
      this.acc,
      {
        acks: this.acks,
        compression: COMPRESSION[options.compression ?? 'none'],
        requestTimeoutMs: o.requestTimeoutMs,
        retries: options.retries ?? Number.MAX_SAFE_INTEGER,
        retryBackoffMs: o.retryBackoffMs,
        retryBackoffMaxMs: o.retryBackoffMaxMs,
        maxInFlightPerConnection: maxInFlight,
        maxRequestSize: options.maxRequestSize ?? 1024 * 1024,
      },
      () => this.fetchProducerId(),
    );
  }

  /** Whether records carry a producer id and sequence numbers (false before connect or after fallback). */
  get idempotent(): boolean {
    return this.sender.identity !== null;
  }

  get stats() {
    return { ...this.sender.stats, bufferedBytes: this.acc.bufferedBytes };
  }

  /** False while buffer.memory is used up; `await producer.waitForSpace()` before sending more. */
  get writable(): boolean {
    return this.acc.writable;
  }

  waitForSpace(): Promise<void> {
    return this.acc.waitForSpace();
  }

  connect(): Promise<void> {
    this.connecting ??= (async () => {
      await this.cluster.connect();
      if (this.idempotenceRequested) await this.initProducerId();
      this.ready = true;
    })();
    this.connecting.catch(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async initProducerId(): Promise<void> {
    const conn = await this.cluster.anyBroker();
    if (!conn.supports(ApiKeys.InitProducerId)) {
      if (this.idempotenceExplicit) {
        throw new ClientError(
          'ERR_CLIENT_UNSUPPORTED_VERSION',
          `idempotence was requested but broker ${conn.address} does not support InitProducerId`,
        );
      }
      this.cluster.logger.warn(
        { broker: conn.address },
        'broker does not support InitProducerId: producing without idempotence (a retry may duplicate records)',
      );
      return;
    }
    this.sender.identity = await this.fetchProducerId();
  }

  /** A fresh producer id and epoch (InitProducerId without a transactional id). */
  private async fetchProducerId(): Promise<{ producerId: bigint; producerEpoch: number }> {
    const o = this.cluster.options;
    const res = await withRetries(
      async () => {
        const r = await this.cluster.requestAny<InitProducerIdResponse>(ApiKeys.InitProducerId, {
          transactionalId: null,
          transactionTimeoutMs: 60_000,
          producerId: -1n,
          producerEpoch: -1,
        });
        if (r.errorCode !== 0) throw new KafkaError(r.errorCode, { api: 'InitProducerId' });
        return r;
      },
      { retries: 10, baseMs: o.retryBackoffMs, maxMs: o.retryBackoffMaxMs, deadline: Date.now() + o.requestTimeoutMs },
    );
    return { producerId: res.producerId, producerEpoch: res.producerEpoch };
  }

  /**
   * Sends one record; resolves with its offset once acknowledged per `acks`. Records are appended
   * in call order: while the producer still connects or looks up a topic, later sends queue
   * behind earlier ones instead of overtaking them.
   */
  send(record: ProducerRecord<K, V>): Promise<RecordMetadata> {
    if (this.closed) return Promise.reject(new ClientError('ERR_CLIENT_CLOSED', 'the producer is closed'));
    if (this.waiting === 0 && this.ready) {
      const info = this.cluster.metadata.topics.get(record.topic);
      if (info !== undefined && info.partitions.length > 0) {
        try {
          return this.append(record, info.partitions.length);
        } catch (err) {
          return Promise.reject(err);
        }
      }
    }
    this.waiting++;
    const appended = this.chain.then(async () => {
      try {
        await this.connect();
        let info = this.cluster.metadata.topics.get(record.topic);
        if (info === undefined || info.partitions.length === 0)
          info = (await this.cluster.ensureTopics([record.topic])).get(record.topic)!;
        // the append itself is synchronous; hand its delivery promise out without awaiting it
        return { delivery: this.append(record, info.partitions.length) };
      } finally {
        this.waiting--;
      }
    });
    this.chain = appended.then(
      () => {},
      () => {},
    );
    return appended.then((a) => a.delivery);
  }

  private append(record: ProducerRecord<K, V>, partitionCount: number): Promise<RecordMetadata> {
    const { topic } = record;
    const key = record.key === undefined || record.key === null ? null : this.keySerializer(record.key, topic);
    const value = record.value === null ? null : this.valueSerializer(record.value, topic);
    const input: RecordInput = {
      key,
      value,
      timestamp: record.timestamp ?? Date.now(),
      headers: toHeaders(record.headers),
    };
    const size = estimateRecordSize(input);
    const partition = this.choosePartition(topic, record.partition, key, value, partitionCount, size);
    if (key === null && record.partition === undefined) this.sticky.markUsed(topic);
    return this.acc.append(topic, partition, input, size);
  }

  /** Sends many records; resolves when all are acknowledged (rejects on the first failure). */
  sendBatch(records: ProducerRecord<K, V>[]): Promise<RecordMetadata[]> {
    return Promise.all(records.map((r) => this.send(r)));
  }

  private choosePartition(
    topic: string,
    explicit: number | undefined,
    key: Buffer | null,
    value: Buffer | null,
    count: number,
    size: number,
  ): number {
    if (explicit !== undefined) {
      if (explicit < 0 || explicit >= count)
        throw new ClientError(
          'ERR_CLIENT_INVALID_ARGUMENT',
          `partition ${explicit} does not exist in ${topic} (${count} partitions)`,
        );
      return explicit;
    }
    const all = Array.from({ length: count }, (_, i) => i);
    const available = this.cluster.metadata.availablePartitions(topic);
    const args = { topic, key, value, allPartitions: all, availablePartitions: available };
    const custom = this.partitioner?.(args);
    if (custom !== undefined) return custom;
    const keyed = murmur2Partitioner(args);
    if (keyed !== undefined) return keyed;
    let p = this.sticky.partition(topic, available, all);
    if (this.acc.wouldOpenBatch(topic, p, size)) p = this.sticky.onNewBatch(topic, p, available, all);
    return p;
  }

  /** Sends everything buffered now, ignoring linger.ms, and waits until it is acknowledged. */
  async flush(): Promise<void> {
    this.acc.beginFlush();
    try {
      await this.sender.whenIdle();
    } finally {
      this.acc.endFlush();
    }
  }

  /** Flushes (up to `timeoutMs`, default delivery.timeout.ms), fails anything left, disconnects. */
  async close(timeoutMs = this.options.deliveryTimeoutMs ?? 120_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.acc.closing = true;
    this.sender.wake();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.sender.whenIdle(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.acc.abortAll(new ClientError('ERR_CLIENT_CLOSED', 'the producer closed before these records were sent'));
    this.acc.stop();
    this.sender.stop();
    await this.cluster.close();
  }
}

function toHeaders(h: ProducerRecord<unknown, unknown>['headers']): RecordInput['headers'] {
  if (h === undefined) return undefined;
  const list = Array.isArray(h) ? h : Object.entries(h).map(([key, value]) => ({ key, value }));
  return list.map(({ key, value }) => ({
    key,
    value: value === null ? null : typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
  }));
}
