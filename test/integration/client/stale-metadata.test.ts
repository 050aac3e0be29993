// Stale-leader errors injected with the broker's request interceptor: the producer and the
// consumer refresh metadata and retry instead of failing.
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../../src/broker/broker.js';
import { Admin } from '../../../src/client/admin/admin.js';
import type { ClientError } from '../../../src/client/errors.js';
import { Consumer } from '../../../src/client/consumer/consumer.js';
import type { RequestEvent } from '../../../src/client/net/diagnostics.js';
import { Producer } from '../../../src/client/producer/producer.js';
import { silentLogger } from '../../../src/common/logger.js';
import { ApiKeys, type FetchRequest, type ProduceRequest } from '../../../src/protocol/messages/index.js';
import { Changes, startTestBroker, stopTestBroker } from './helpers.js';

const NOT_LEADER_OR_FOLLOWER = 6;
let broker: Broker;
let admin: Admin;
const logger = silentLogger();

before(async () => {
  broker = await startTestBroker();
  admin = new Admin({ bootstrapServers: broker.bootstrapServers, logger });
  await admin.connect();
});
after(async () => {
  await admin.close();
  await stopTestBroker(broker);
});

function recordRequests(): { events: RequestEvent[]; changes: Changes; stop: () => void } {
  const events: RequestEvent[] = [];
  const changes = new Changes();
  const on = (e: unknown) => {
    events.push(e as RequestEvent);
    changes.poke();
  };
  diagnostics.subscribe('vltava:client:request', on);
  return { events, changes, stop: () => diagnostics.unsubscribe('vltava:client:request', on) };
}

describe('stale metadata', () => {
  it('the producer refreshes metadata after NOT_LEADER_OR_FOLLOWER and delivers on retry', async () => {
    const topic = 'stale-produce';
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    const p = new Producer({ bootstrapServers: broker.bootstrapServers, logger, retryBackoffMs: 5 });
    await p.send({ topic, value: Buffer.from('warm-up') });
    let refused = 0;
    const remove = broker.dispatcher.intercept(ApiKeys.Produce, (req) => {
      if (refused++ > 0) return undefined;
      const r = req as ProduceRequest;
      return {
        throttleTimeMs: 0,
        nodeEndpoints: [],
        responses: r.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((pd) => ({
            index: pd.index,
            errorCode: NOT_LEADER_OR_FOLLOWER,
            baseOffset: -1n,
            logAppendTimeMs: -1n,
            logStartOffset: -1n,
            recordErrors: [],
            errorMessage: null,
            currentLeader: { leaderId: -1, leaderEpoch: -1 },
          })),
        })),
      };
    });
    const rec = recordRequests();
    try {
      const md = await p.send({ topic, value: Buffer.from('after') });
      assert.equal(md.offset, 1);
    } finally {
      rec.stop();
      remove();
    }
    const names = rec.events.map((e) => e.apiName);
    const firstProduce = names.indexOf('Produce');
    assert.ok(
      names.indexOf('Metadata', firstProduce) > firstProduce,
      `a metadata refresh followed the refused produce: ${names}`,
    );
    assert.equal(p.stats.retries, 1);
    await p.close();
  });

  it('the consumer refreshes metadata after a fetch error and keeps consuming', async () => {
    const topic = 'stale-fetch';
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    const p = new Producer({ bootstrapServers: broker.bootstrapServers, logger });
    await p.sendBatch(Array.from({ length: 5 }, (_, i) => ({ topic, value: Buffer.from(`v${i}`) })));
    await p.close();
    let refused = 0;
    const remove = broker.dispatcher.intercept(ApiKeys.Fetch, (req) => {
      const r = req as FetchRequest;
      if (r.replicaId !== -1 || !r.topics.some((t) => t.topic === topic) || refused++ > 0) return undefined;
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 0,
        nodeEndpoints: [],
        responses: r.topics.map((t) => ({
          topic: t.topic,
          topicId: t.topicId,
          partitions: t.partitions.map((pp) => ({
            partitionIndex: pp.partition,
            errorCode: NOT_LEADER_OR_FOLLOWER,
            highWatermark: -1n,
            lastStableOffset: -1n,
            logStartOffset: -1n,
            divergingEpoch: { epoch: -1, endOffset: -1n },
            currentLeader: { leaderId: -1, leaderEpoch: -1 },
            snapshotId: { endOffset: -1n, epoch: -1 },
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: null,
          })),
        })),
      };
    });
    const rec = recordRequests();
    const c = new Consumer({
      bootstrapServers: broker.bootstrapServers,
      logger,
      autoOffsetReset: 'earliest',
      retryBackoffMs: 5,
    });
    try {
      await c.assign([{ topic, partition: 0 }]);
      const got: number[] = [];
      for await (const r of c) if (got.push(r.offset) === 5) break;
      assert.deepEqual(got, [0, 1, 2, 3, 4]);
      assert.equal(refused >= 1, true);
      // the refresh runs beside the retried fetch, which may well deliver first: wait for it
      const names = () => rec.events.map((e) => e.apiName);
      await rec.changes.until(
        () => names().indexOf('Metadata', names().indexOf('Fetch')) > 0,
        'a metadata refresh after the failed fetch',
      );
    } finally {
      rec.stop();
      remove();
      await c.close();
    }
  });
});

describe('idempotent producer recovery', () => {
  it('after a batch with a sequence number expires, the producer takes a new producer id instead of failing every later batch', async () => {
    const topic = 'seq-gap';
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    const p = new Producer({
      bootstrapServers: broker.bootstrapServers,
      logger,
      deliveryTimeoutMs: 300,
      retryBackoffMs: 10,
      lingerMs: 0,
    });
    await p.send({ topic, value: Buffer.from('known producer') });
    const before = p.stats;
    // refuse every produce with a retriable error until the next batch has expired
    const remove = broker.dispatcher.intercept(ApiKeys.Produce, (req) => ({
      throttleTimeMs: 0,
      nodeEndpoints: [],
      responses: (req as ProduceRequest).topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((pd) => ({
          index: pd.index,
          errorCode: 19,
          baseOffset: -1n,
          logAppendTimeMs: -1n,
          logStartOffset: -1n,
          recordErrors: [],
          errorMessage: null,
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
        })),
      })),
    }));
    await assert.rejects(
      p.send({ topic, value: Buffer.from('expires') }),
      (e: ClientError) => e.code === 'ERR_CLIENT_DELIVERY_TIMEOUT',
    );
    remove();
    const md = await p.send({ topic, value: Buffer.from('after the gap') });
    assert.equal(md.offset, 1, 'written, not refused as OUT_OF_ORDER_SEQUENCE_NUMBER');
    assert.ok(p.stats.retries > before.retries);
    await p.close();
  });
});

describe('fetch sessions', () => {
  it('incremental fetches carry only moving partitions, and a lost session falls back to a full fetch', async () => {
    const topic = 'sessions';
    await admin.createTopics([{ topic, numPartitions: 12 }]);
    const p = new Producer({ bootstrapServers: broker.bootstrapServers, logger });
    await p.sendBatch(
      Array.from({ length: 24 }, (_, i) => ({ topic, partition: i % 12, value: Buffer.from(`a${i}`) })),
    );
    const seen: Array<{ sessionId: number; epoch: number; partitions: number }> = [];
    let killSession = true;
    const remove = broker.dispatcher.intercept(ApiKeys.Fetch, (req) => {
      const r = req as FetchRequest;
      if (r.replicaId !== -1) return undefined;
      seen.push({
        sessionId: r.sessionId,
        epoch: r.sessionEpoch,
        partitions: r.topics.reduce((n, t) => n + t.partitions.length, 0),
      });
      // once the session is in use, make the broker "lose" it a single time
      if (killSession && r.sessionEpoch >= 1) {
        killSession = false;
        return { throttleTimeMs: 0, errorCode: 70, sessionId: 0, responses: [], nodeEndpoints: [] };
      }
      return undefined;
    });
    const c = new Consumer({
      bootstrapServers: broker.bootstrapServers,
      logger,
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 20,
    });
    try {
      await c.assign(Array.from({ length: 12 }, (_, partition) => ({ topic, partition })));
      const values = new Set<string>();
      for await (const r of c) {
        values.add(r.value!.toString());
        if (values.size === 24) break;
      }
      await p.sendBatch(Array.from({ length: 6 }, (_, i) => ({ topic, partition: 3, value: Buffer.from(`b${i}`) })));
      for await (const r of c) {
        values.add(r.value!.toString());
        if (values.size === 30) break;
      }
      assert.equal(values.size, 30);
      // and once more, on the new session
      await p.sendBatch(Array.from({ length: 6 }, (_, i) => ({ topic, partition: 5, value: Buffer.from(`c${i}`) })));
      for await (const r of c) {
        values.add(r.value!.toString());
        if (values.size >= 36) break;
      }
      assert.equal(killSession, false, `the lost session was exercised: ${JSON.stringify(seen)}`);
      const lost = seen.findIndex((s) => s.epoch >= 1);
      assert.ok(
        seen.slice(lost + 1).some((s) => s.sessionId !== 0 && s.epoch > 0 && s.partitions < 12),
        `incremental requests: ${JSON.stringify(seen.slice(0, 8))}`,
      );
      assert.equal(seen[lost + 1]!.epoch, 0, 'the request after FETCH_SESSION_ID_NOT_FOUND starts a new session');
    } finally {
      remove();
      await c.close();
      await p.close();
    }
  });
});
