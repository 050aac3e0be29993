// Every example in examples/ runs against an in-process broker and exits 0.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../../src/broker/broker.js';
import { startTestBroker, stopTestBroker } from './helpers.js';

let broker: Broker;
before(async () => {
  broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': 0, 'auto.create.topics.enable': true });
});
after(async () => {
  await stopTestBroker(broker);
});

function runExample(name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [`examples/${name}`, broker.bootstrapServers],
      { timeout: 60_000, env: { ...process.env, VLTAVA_LOG_LEVEL: 'error' } },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${name} failed: ${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    );
  });
}

describe('examples', () => {
  it('producer.mjs', async () => {
    const out = await runExample('producer.mjs');
    assert.match(out, /order-1 -> partition \d offset 0/);
    assert.match(out, /produced 10 records/);
  });
  it('consumer-group.mjs', async () => {
    const out = await runExample('consumer-group.mjs');
    assert.match(out, /member-[ab] assigned/);
    assert.match(out, /consumed 40 records; group lag 0/);
  });
  it('at-most-once.mjs', async () => {
    const out = await runExample('at-most-once.mjs');
    assert.equal(out.match(/processed payment/g)?.length, 5);
  });
  it('at-least-once.mjs', async () => {
    const out = await runExample('at-least-once.mjs');
    assert.equal(out.match(/processed job/g)?.length, 20);
    assert.match(out, /committed offset 20/);
  });
  it('admin.mjs', async () => {
    const out = await runExample('admin.mjs');
    assert.match(out, /example-admin: 4 partitions/);
    assert.match(out, /cleanup.policy=compact \(DYNAMIC_TOPIC_CONFIG\)/);
    assert.match(out, /deleted example-admin/);
  });
});
