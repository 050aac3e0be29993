import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../../src/broker/broker.js';
import { Connection } from '../../../src/client/net/connection.js';
import { Cluster } from '../../../src/client/net/cluster.js';
import type { RequestEvent } from '../../../src/client/net/diagnostics.js';
import type { ClientError } from '../../../src/client/errors.js';
import { startTestBroker, stopTestBroker } from './helpers.js';
import { silentLogger } from '../../../src/common/logger.js';
import { ApiKeys } from '../../../src/protocol/messages/index.js';

let broker: Broker;
const addr = () => broker.listeners[0]!;

before(async () => {
  broker = await startTestBroker();
});
after(async () => {
  await stopTestBroker(broker);
});

const metadataAll = {
  topics: null,
  allowAutoTopicCreation: false,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
};

describe('client connection', () => {
  it('negotiates the highest version both sides support for each API', async () => {
    const conn = await Connection.connect({ host: addr().host, port: addr().port });
    const served = broker.dispatcher.supportedVersions();
    const md = served.find((v) => v.apiKey === ApiKeys.Metadata)!;
    assert.equal(conn.versionOf(ApiKeys.Metadata), Math.min(12, md.maxVersion));
    const fetch = served.find((v) => v.apiKey === ApiKeys.Fetch)!;
    assert.equal(conn.versionOf(ApiKeys.Fetch), Math.min(12, fetch.maxVersion), 'Fetch capped where topic ids start');
    if (!served.some((v) => v.apiKey === ApiKeys.JoinGroup)) assert.equal(conn.supports(ApiKeys.JoinGroup), false);
    await conn.close();
  });

  it('pipelines requests and matches responses by correlation id', async () => {
    const conn = await Connection.connect({ host: addr().host, port: addr().port });
    const results = await Promise.all(Array.from({ length: 50 }, () => conn.request(ApiKeys.Metadata, metadataAll)));
    assert.equal(results.length, 50);
    for (const r of results) assert.equal(r.brokers[0].nodeId, broker.nodeId);
    await conn.close();
  });

  it('publishes vltava:client:request events', async () => {
    const events: RequestEvent[] = [];
    const onEvent = (e: unknown) => events.push(e as RequestEvent);
    diagnostics.subscribe('vltava:client:request', onEvent);
    try {
      const conn = await Connection.connect({ host: addr().host, port: addr().port });
      await conn.request(ApiKeys.Metadata, metadataAll);
      await conn.close();
    } finally {
      diagnostics.unsubscribe('vltava:client:request', onEvent);
    }
    assert.ok(events.some((e) => e.apiName === 'ApiVersions'));
    const md = events.find((e) => e.apiName === 'Metadata')!;
    assert.equal(md.broker, `${addr().host}:${addr().port}`);
    assert.ok(md.durationMs >= 0);
  });

  it('times out and aborts requests on a broker that never answers, failing in-flight ones on close', async () => {
    // A server that accepts and answers only ApiVersions with a canned v0 reply, then stays silent.
    const silent = createServer((s) => {
      s.once('data', (d: Buffer) => {
        const corr = d.readInt32BE(8);
        const body = Buffer.alloc(4 + 2 + 4 + 6 * 1);
        body.writeInt32BE(corr, 0);
        body.writeInt16BE(0, 4); // errorCode
        body.writeInt32BE(1, 6); // one api
        body.writeInt16BE(ApiKeys.Metadata, 10);
        body.writeInt16BE(1, 12);
        body.writeInt16BE(12, 14);
        const frame = Buffer.alloc(4 + body.length);
        frame.writeInt32BE(body.length, 0);
        body.copy(frame, 4);
        s.write(frame);
      });
      s.on('error', () => {});
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const conn = await Connection.connect({ host: '127.0.0.1', port });
      assert.equal(conn.versionOf(ApiKeys.Metadata), 12);
      await assert.rejects(
        conn.request(ApiKeys.Metadata, metadataAll, { timeoutMs: 20 }),
        (e: ClientError) => e.code === 'ERR_CLIENT_REQUEST_TIMEOUT' && e.retriable,
      );
      const ac = new AbortController();
      const aborted = conn.request(ApiKeys.Metadata, metadataAll, { signal: ac.signal, timeoutMs: 0 });
      ac.abort();
      await assert.rejects(aborted, (e: ClientError) => e.code === 'ERR_CLIENT_ABORTED');
      const pending = conn.request(ApiKeys.Metadata, metadataAll, { timeoutMs: 0 });
      conn.destroy();
      await assert.rejects(pending, (e: ClientError) => e.code === 'ERR_CLIENT_CONNECTION_CLOSED' && e.retriable);
      assert.equal(conn.inFlight, 0);
    } finally {
      silent.close();
    }
  });
});

describe('client cluster metadata', () => {
  it('bootstraps past an unreachable address and discovers the broker', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as { port: number }).port;
    dead.close();
    const cluster = new Cluster({
      bootstrapServers: [`127.0.0.1:${deadPort}`, broker.bootstrapServers],
      logger: silentLogger(),
    });
    await cluster.connect();
    assert.deepEqual([...cluster.metadata.brokers.keys()], [broker.nodeId]);
    assert.equal(cluster.metadata.clusterId, broker.clusterId);
    await cluster.close();
  });

  it('auto-creates on demand and reports leaders; a closed connection is replaced', async () => {
    const b2 = await startTestBroker({ 'auto.create.topics.enable': true });
    const cluster = new Cluster({ bootstrapServers: b2.bootstrapServers, logger: silentLogger() });
    try {
      await cluster.connect();
      const topics = await cluster.ensureTopics(['auto-t'], { autoCreate: true });
      assert.equal(topics.get('auto-t')!.partitions[0]!.leader, b2.nodeId);
      const c1 = await cluster.broker(b2.nodeId);
      c1.destroy();
      const c2 = await cluster.broker(b2.nodeId);
      assert.notEqual(c1, c2);
      assert.equal(c2.closed, false);
      await assert.rejects(
        cluster.ensureTopics(['missing-t'], { autoCreate: false, timeoutMs: 50 }),
        /UNKNOWN_TOPIC_OR_PARTITION/,
      );
    } finally {
      await cluster.close();
      await stopTestBroker(b2);
    }
  });
});
