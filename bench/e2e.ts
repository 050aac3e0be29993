/**
 * Produce-to-consume latency alone, without the rest of bench/broker.ts: a spawned broker, the
 * wire e2e workload (1 KiB records, acks=all, one batch per ms, long-poll fetch) at each rate.
 * Usage: node dist/bench/e2e.js [--rates 10,2,10] [--seconds 8]
 */
import { BENCH_BROKER_OVERRIDES, BENCH_TOPIC_CONFIGS } from './blaster.js';
import { spawnBroker } from './lib/processes.js';
import { createTopic, WireConnection } from './lib/wire.js';
import { wireE2eInChild } from './lib/wire-clients.js';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
const rates = arg('--rates', '10,2,10').split(',').map(Number);
const seconds = Number(arg('--seconds', '8'));

const broker = await spawnBroker({ overrides: BENCH_BROKER_OVERRIDES });
try {
  const admin = await WireConnection.connect('127.0.0.1', broker.port);
  console.log('| rate | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [i, rate] of rates.entries()) {
    const topic = `e2e-${i}-${rate}`;
    await createTopic(admin, topic, 1, BENCH_TOPIC_CONFIGS);
    const { latency: l } = await wireE2eInChild(broker.port, topic, rate, 1024, seconds, 1);
    console.log(`| ${rate} MB/s | ${l.p50Ms} | ${l.p90Ms} | ${l.p99Ms} | ${l.p999Ms} | ${l.maxMs} |`);
  }
  admin.close();
} finally {
  await broker.stop();
}
