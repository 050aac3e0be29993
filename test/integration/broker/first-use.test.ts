// A handler module and its codecs are loaded on the first request of their key (dispatcher.ts).
// First requests are answered like any other, in request order, and handlers start in arrival
// order even when later requests arrive while a load is in progress.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Broker, startBroker } from '../../../src/broker/broker.js';
import { HANDLERS } from '../../../src/broker/handlers/index.js';
import { ApiKeys } from '../../../src/protocol/messages/index.js';
import { RawKafkaClient } from './raw-client.js';
import * as req from './requests.js';

let broker: Broker;

before(async () => {
  broker = await startBroker({ port: 0, storage: 'memory' });
});
after(async () => {
  await broker.close();
});

describe('first use of an API key', () => {
  it('answers requests pipelined behind first-use loads in order, started in arrival order', async () => {
    const client = await RawKafkaClient.connect(broker.bootstrapServers);
    const started: string[] = [];
    const watch = (name: string, apiKey: number) =>
      broker.dispatcher.intercept(apiKey, () => {
        started.push(name);
        return undefined; // handled as usual
      });
    const unwatch = [
      watch('ApiVersions', ApiKeys.ApiVersions),
      watch('Metadata', ApiKeys.Metadata),
      watch('CreateTopics', ApiKeys.CreateTopics),
    ];
    // One write: Metadata and CreateTopics are the first of their key on this broker (loaded on
    // arrival); ApiVersions is always loaded and must still wait its turn.
    const apiVersions = () =>
      client.request(ApiKeys.ApiVersions, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' });
    client.socket.cork();
    const pending = [
      client.request(ApiKeys.Metadata, 12, req.metadata(null)),
      apiVersions(),
      client.request(ApiKeys.CreateTopics, 7, req.createTopics([{ name: 'first-use' }])),
      apiVersions(),
    ];
    const answered: number[] = [];
    for (const [i, p] of pending.entries()) p.then(() => answered.push(i));
    client.socket.uncork();
    const [metadata, versions, created, versionsAgain] = await Promise.all(pending);
    assert.deepEqual(started, ['Metadata', 'ApiVersions', 'CreateTopics', 'ApiVersions']);
    assert.deepEqual(answered, [0, 1, 2, 3]);
    assert.equal(metadata.brokers.length, 1);
    assert.equal(versions.errorCode, 0);
    assert.equal(created.topics[0].errorCode, 0);
    assert.equal(versionsAgain.errorCode, 0);
    for (const u of unwatch) u();
    client.close();
  });

  it('starts the group coordinator with the first request that needs it', async () => {
    const b = await startBroker({ port: 0, storage: 'memory' });
    try {
      assert.throws(() => b.context.groups, /not started/);
      const client = await RawKafkaClient.connect(b.bootstrapServers);
      const res = await client.request(ApiKeys.ListGroups, 4, { statesFilter: [], typesFilter: [] });
      assert.equal(res.errorCode, 0);
      assert.deepEqual(b.context.groups.listGroups(), []);
      client.close();
    } finally {
      await b.close();
    }
  });

  it('every registered handler module loads and is the handler for its key', async () => {
    for (const h of HANDLERS) assert.equal((await h.load()).apiKey, h.apiKey);
  });
});
