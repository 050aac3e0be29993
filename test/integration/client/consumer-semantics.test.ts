// Delivery semantics and liveness of group members: re-delivery after a crash, heartbeats during
// slow processing, max.poll.interval.ms, and fetch backpressure.
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../../src/broker/broker.js';
import { Admin } from '../../../src/client/admin/admin.js';
import { Consumer } from '../../../src/client/consumer/consumer.js';
import { Producer } from '../../../src/client/producer/producer.js';
import { deserializers, serializers } from '../../../src/client/producer/serializers.js';
import { silentLogger } from '../../../src/common/logger.js';
import { Changes, startTestBroker, stopTestBroker } from './helpers.js';

let broker: Broker;
let admin: Admin;
let producer: Producer<string, string>;
const logger = silentLogger();

before(async () => {
  broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 300 });
  admin = new Admin({ bootstrapServers: broker.bootstrapServers, logger });
  await admin.connect();
  producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    logger,
    keySerializer: serializers.string,
    valueSerializer: serializers.string,
    lingerMs: 1,
  });
});
after(async () => {
  await producer.close();
  await admin.close();
  await stopTestBroker(broker);
});

const opts = () => ({
  bootstrapServers: broker.bootstrapServers,
  logger,
  valueDeserializer: deserializers.string,
  fetchMaxWaitMs: 50,
  autoOffsetReset: 'earliest' as const,
});
const produce = (topic: string, n: number) =>
  producer.sendBatch(Array.from({ length: n }, (_, i) => ({ topic, value: `v${i}`, partition: 0 })));

describe('consumer delivery semantics', () => {
  it('at-least-once: records after the last commit are delivered again to the next consumer', async () => {
    const topic = 'sem-redeliver';
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    await produce(topic, 10);
    const c1 = new Consumer({ ...opts(), groupId: 'g-redeliver', enableAutoCommit: false });
    await c1.subscribe(topic);
    let n = 0;
    for await (const r of c1) {
      if (r.offset === 4) await c1.commit([{ topic, partition: 0, offset: 5 }]);
      if (++n === 10) break; // "crash" after processing 10 without committing them
    }
    await c1.close();
    const c2 = new Consumer({ ...opts(), groupId: 'g-redeliver', enableAutoCommit: false });
    await c2.subscribe(topic);
    const again: number[] = [];
    for await (const r of c2) if (again.push(r.offset) === 5) break;
    assert.deepEqual(again, [5, 6, 7, 8, 9]);
    await c2.close();
  });

  it('commitAsync commits per partition; committed() and position() report it', async () => {
    const topic = 'sem-commit-async';
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    await produce(topic, 4);
    const c = new Consumer({ ...opts(), groupId: 'g-commit-async', enableAutoCommit: false });
    await c.subscribe(topic);
    const it = c.messages();
    const first = (await it.next()).value!;
    assert.equal(c.position({ topic, partition: 0 }) >= first.offset + 1, true);
    assert.deepEqual(c.lag(), [{ topic, partition: 0, lag: 4 - c.position({ topic, partition: 0 }) }]);
    const done = new Promise<unknown>((resolve) =>
      c.commitAsync([{ topic, partition: 0, offset: first.offset + 1 }], resolve),
    );
    assert.equal(await done, undefined, 'no error');
    assert.deepEqual(await c.committed([{ topic, partition: 0 }]), [{ topic, partition: 0, offset: 1 }]);
    await it.return(undefined);
    await c.close();
  });

  it('heartbeats continue while a handler is slow, so the member keeps its partitions', async () => {
    const topic = 'sem-slow';
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    await produce(topic, 3);
    const events: string[] = [];
    const onEvent = (e: unknown) => events.push((e as { phase: string }).phase);
    diagnostics.subscribe('vltava:client:rebalance', onEvent);
    const c = new Consumer({ ...opts(), groupId: 'g-slow', sessionTimeoutMs: 400, heartbeatIntervalMs: 50 });
    await c.subscribe(topic);
    let n = 0;
    try {
      await c.run({
        eachMessage: async () => {
          // slow processing that yields the event loop: over two session timeouts long
          await delay(1_000);
          if (++n === 2) throw new Error('done');
        },
      });
    } catch (err) {
      assert.equal((err as Error).message, 'done');
    }
    diagnostics.unsubscribe('vltava:client:rebalance', onEvent);
    assert.equal(events.filter((p) => p === 'join').length, 1, `one join, no expiry: ${events}`);
    assert.ok(!events.includes('lost'));
    await c.close();
  });

  it('a member that stops asking for records for max.poll.interval.ms leaves, and a peer takes over', async () => {
    const topic = 'sem-poll-interval';
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    await produce(topic, 2);
    const changes = new Changes();
    const events: string[] = [];
    const onEvent = (e: unknown) => {
      events.push((e as { phase: string }).phase);
      changes.poke();
    };
    diagnostics.subscribe('vltava:client:rebalance', onEvent);
    const stuck = new Consumer({
      ...opts(),
      groupId: 'g-poll',
      maxPollIntervalMs: 300,
      sessionTimeoutMs: 2_000,
      heartbeatIntervalMs: 50,
    });
    await stuck.subscribe(topic);
    const it1 = stuck.messages();
    assert.equal((await it1.next()).value!.offset, 0); // ...and never asks for the next record
    await changes.until(() => events.includes('poll-timeout'), 'the stuck member to leave');
    const peer = new Consumer({ ...opts(), groupId: 'g-poll', heartbeatIntervalMs: 50 });
    await peer.subscribe(topic);
    const it2 = peer.messages();
    const first = (await it2.next()).value!;
    assert.equal(first.offset, 0, 'nothing was committed by the stuck member, so the peer starts over');
    await it2.return(undefined);
    await it1.return(undefined);
    diagnostics.unsubscribe('vltava:client:rebalance', onEvent);
    await peer.close();
    await stuck.close();
  });

  it('fetching pauses at maxBufferedBytes and resumes as the application consumes', async () => {
    const topic = 'sem-backpressure';
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    await producer.sendBatch(
      Array.from({ length: 400 }, (_, i) => ({ topic, value: `${i}`.padStart(1000, '.'), partition: 0 })),
    );
    const c = new Consumer({ ...opts(), maxBufferedBytes: 16 * 1024, maxPartitionFetchBytes: 8 * 1024 });
    await c.assign([{ topic, partition: 0 }]);
    const it = c.messages();
    assert.equal((await it.next()).value!.offset, 0);
    // the fetcher stopped once the buffer was full: far fewer bytes fetched than the 400 KB log
    const fetched = c.fetcher.stats.bytes;
    assert.ok(fetched < 64 * 1024, `fetched ${fetched} bytes ahead`);
    let last = 0;
    for (let r = await it.next(); !r.done; r = await it.next()) {
      assert.equal(r.value.offset, last + 1);
      last = r.value.offset;
      if (last === 399) break;
    }
    await it.return(undefined);
    await c.close();
  });
});
