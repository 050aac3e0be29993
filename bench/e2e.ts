/**
 * Produce-to-consume latency alone, without the rest of bench/broker.ts: a spawned broker, the
 * wire e2e workload (1 KiB records, acks=all, one batch per ms, long-poll fetch; each record
 * stamped with its scheduled send time) at each rate. A run with produce errors or records sent
 * and never received is printed with its error and makes the exit code 1: its percentiles leave
 * those records out.
 * Usage: node dist/bench/e2e.js [--rates 10,2,10] [--seconds 8]
 */
import { BENCH_BROKER_OVERRIDES, BENCH_TOPIC_CONFIGS } from './blaster.js';
import { spawnBroker } from './lib/processes.js';
import { createTopic, WireConnection } from './lib/wire.js';
import { e2eError, wireE2eInChild } from './lib/wire-clients.js';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
const rates = arg('--rates', '10,2,10').split(',').map(Number);
const seconds = Number(arg('--seconds', '8'));

let failed = false;
const broker = await spawnBroker({ overrides: BENCH_BROKER_OVERRIDES });
try {
  const admin = await WireConnection.connect('127.0.0.1', broker.port);
  console.log(
    '| rate | sent | received | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | error |\n' +
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const [i, rate] of rates.entries()) {
    const topic = `e2e-${i}-${rate}`;
    await createTopic(admin, topic, 1, BENCH_TOPIC_CONFIGS);
    const r = await wireE2eInChild(broker.port, topic, rate, 1024, seconds, 1);
    const l = r.latency;
    const error = e2eError(r);
    if (error) failed = true;
    console.log(
      `| ${rate} MB/s | ${r.sent} | ${r.received} | ${l.p50Ms} | ${l.p90Ms} | ${l.p99Ms} | ${l.p999Ms} | ${l.maxMs} | ${error ?? ''} |`,
    );
  }
  admin.close();
} finally {
  await broker.stop();
}
if (failed) {
  console.error('e2e: a run lost records or had produce errors (see the error column)');
  process.exitCode = 1;
}
