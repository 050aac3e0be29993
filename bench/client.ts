/**
 * Client benchmark: Vltava's client against kafkajs, @platformatic/kafka and librdkafka
 * (confluent-kafka-python, out of process), producing and
 * consuming the same workload against one spawned Vltava broker (a separate process, so the
 * broker does not share an event loop with the clients), in one run.
 *
 * Workload per (client, record size): a fresh single-partition topic; produce N records of
 * `size` bytes (no key, no headers, no compression, acks=all, explicit partition 0) as 4
 * concurrent send calls of 1,000 records each until N are acknowledged; then a fresh consumer
 * group reads the N records from the earliest offset. Produce rate counts from the first send to
 * the last acknowledgement; consume rate from the first record received to the N-th (group join
 * excluded, reported separately as `firstRecordMs`).
 *
 * Client settings: each client's defaults except where noted. Vltava: batchSize 1 MiB (kafkajs
 * and @platformatic/kafka put a whole send() in one batch; Java's 16 KiB default would make
 * ours send 64 requests for what they send in one), idempotence on (its default; the other two
 * default to off). Consumers commit nothing (autocommit off where the client allows).
 *
 * `client CPU %` is the benchmark process's CPU time over the phase's wall time: well under 100
 * means the client waited on the broker (a separate process; same machine, so they compete for
 * its cores).
 *
 * Each (client, size) runs `--rounds` times (default 3), the clients interleaved; tables show the
 * median round (per column), the JSON keeps every round.
 *
 * Usage: node dist/bench/client.js [--smoke] [--rounds N] [--out FILE]
 *   --smoke: tiny counts to prove the harness runs (numbers mean nothing); writes only to --out.
 * Default output: bench/results/client.json (+ .md).
 */
import { Consumer as PlatConsumer, Producer as PlatProducer } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { Admin } from '../src/client/admin/admin.js';
import { Consumer } from '../src/client/consumer/consumer.js';
import { Producer } from '../src/client/producer/producer.js';
import { silentLogger } from '../src/common/logger.js';
import { confluentConsume, confluentProduce } from './lib/loadgen.js';
import { spawnBroker } from './lib/processes.js';
import { argNumber, argValue, printTables, type Row, type Table, writeReport } from './lib/report.js';

interface Run {
  client: string;
  size: number;
  records: number;
  produceSeconds: number;
  consumeSeconds: number;
  firstRecordMs: number;
  /** Client process CPU time / wall time during each phase (100 = one core busy). */
  produceCpuPct: number;
  consumeCpuPct: number;
  error?: string;
}

const PER_SEND = 1000;
const IN_FLIGHT = 4;

type Side = {
  /** Resolves with the seconds the client measured itself, when it runs out of process. */
  produce(topic: string, value: Buffer, count: number): Promise<unknown>;
  consume(topic: string, count: number): Promise<{ firstAt: number; lastAt: number }>;
};

/** Runs `inFlight` loops of `sendOne(n)` until `count` records are sent. */
async function sendLoop(count: number, sendOne: (n: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        const n = Math.min(PER_SEND, count - next);
        next += n;
        await sendOne(n);
      }
    }),
  );
}

function vltava(bootstrap: string): Side {
  const logger = silentLogger();
  return {
    async produce(topic, value, count) {
      const p = new Producer({ bootstrapServers: bootstrap, logger, batchSize: 1024 * 1024 });
      await p.connect();
      await sendLoop(count, (n) => p.sendBatch(Array.from({ length: n }, () => ({ topic, value, partition: 0 }))));
      await p.close();
    },
    async consume(topic, count) {
      const c = new Consumer({
        bootstrapServers: bootstrap,
        logger,
        groupId: `bench-v-${topic}`,
        autoOffsetReset: 'earliest',
        enableAutoCommit: false,
      });
      await c.subscribe(topic);
      let n = 0;
      let firstAt = 0;
      for await (const batch of c.batches()) {
        if (n === 0) firstAt = performance.now();
        n += batch.records.length;
        if (n >= count) break;
      }
      const lastAt = performance.now();
      await c.close();
      return { firstAt, lastAt };
    },
  };
}

function kafkajs(bootstrap: string): Side {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'bench-kafkajs', logLevel: logLevel.NOTHING });
  return {
    async produce(topic, value, count) {
      const p = kafka.producer({ allowAutoTopicCreation: false });
      await p.connect();
      await sendLoop(count, (n) =>
        p.send({ topic, acks: -1, messages: Array.from({ length: n }, () => ({ value, partition: 0 })) }),
      );
      await p.disconnect();
    },
    async consume(topic, count) {
      const c = kafka.consumer({
        groupId: `bench-k-${topic}`,
        maxBytes: 50 * 1024 * 1024,
        maxBytesPerPartition: 1024 * 1024,
      });
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      let n = 0;
      let firstAt = 0;
      let lastAt = 0;
      await new Promise<void>((resolve) => {
        void c.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (n === 0) firstAt = performance.now();
            n += batch.messages.length;
            if (n >= count) {
              lastAt = performance.now();
              resolve();
            }
          },
        });
      });
      await c.disconnect();
      return { firstAt, lastAt };
    },
  };
}

function platformatic(bootstrap: string): Side {
  return {
    async produce(topic, value, count) {
      const p = new PlatProducer({ clientId: 'bench-platformatic', bootstrapBrokers: [bootstrap], acks: -1 });
      await sendLoop(count, (n) =>
        p.send({ messages: Array.from({ length: n }, () => ({ topic, value, partition: 0 })) }),
      );
      await p.close();
    },
    async consume(topic, count) {
      const c = new PlatConsumer({
        clientId: 'bench-platformatic',
        groupId: `bench-p-${topic}`,
        bootstrapBrokers: [bootstrap],
        maxBytes: 50 * 1024 * 1024,
        maxBytesPerPartition: 1024 * 1024,
      });
      const stream = await c.consume({ topics: [topic], mode: 'earliest', autocommit: false });
      let n = 0;
      let firstAt = 0;
      for await (const _ of stream) {
        if (n === 0) firstAt = performance.now();
        if (++n >= count) break;
      }
      const lastAt = performance.now();
      await stream.close();
      await c.close(true);
      return { firstAt, lastAt };
    },
  };
}

/**
 * librdkafka through confluent-kafka-python (bench/lib/loadgen.ts, scripts/bench-confluent.py):
 * a separate process that times itself (startup excluded), so its CPU is not in `client CPU %`.
 */
function librdkafka(port: number, smoke: boolean): Side {
  const timeoutMs = smoke ? 20_000 : 120_000;
  return {
    async produce(topic, value, count) {
      const r = await confluentProduce(port, topic, value.length, -1, count, timeoutMs);
      if (r.error) throw new Error(r.error);
      return r.seconds;
    },
    async consume(topic, count) {
      const r = await confluentConsume(port, topic, count, timeoutMs);
      if (r.error) throw new Error(r.error);
      const lastAt = performance.now();
      return { firstAt: lastAt - r.seconds * 1000, lastAt };
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const smoke = argv.includes('--smoke');
  const counts: Record<number, number> = smoke ? { 1024: 2_000, 100: 3_000 } : { 1024: 200_000, 100: 1_000_000 };
  const out = argValue(argv, '--out') ?? (smoke ? null : 'bench/results/client.json');
  const rounds = argNumber(argv, '--rounds', smoke ? 1 : 3);
  const broker = await spawnBroker({
    overrides: { 'group.initial.rebalance.delay.ms': '0', 'auto.create.topics.enable': 'false' },
  });
  const bootstrap = `127.0.0.1:${broker.port}`;
  const admin = new Admin({ bootstrapServers: bootstrap, logger: silentLogger() });
  const runs: Run[] = [];
  try {
    await admin.connect();
    const clients: Array<[string, Side]> = [
      ['vltava', vltava(bootstrap)],
      ['kafkajs', kafkajs(bootstrap)],
      ['@platformatic/kafka', platformatic(bootstrap)],
      ['librdkafka (confluent-kafka-python)', librdkafka(broker.port, smoke)],
    ];
    // rounds interleave the clients so that a busy moment on the machine hits all of them
    for (let round = 0; round < rounds; round++)
      for (const size of [1024, 100]) {
        const count = counts[size]!;
        const value = Buffer.alloc(size, 0x78);
        for (const [name, side] of clients) {
          const topic = `bench-client-${name.replace(/\W/g, '')}-${size}-${round}`;
          await admin.createTopics([{ topic, numPartitions: 1 }]);
          const run: Run = {
            client: name,
            size,
            records: count,
            produceSeconds: Number.NaN,
            consumeSeconds: Number.NaN,
            firstRecordMs: Number.NaN,
            produceCpuPct: Number.NaN,
            consumeCpuPct: Number.NaN,
          };
          const cpuPct = (since: NodeJS.CpuUsage, wallMs: number) => {
            const u = process.cpuUsage(since);
            return ((u.user + u.system) / 1000 / wallMs) * 100;
          };
          try {
            const t0 = performance.now();
            const pc = process.cpuUsage();
            const selfTimed = await side.produce(topic, value, count);
            run.produceSeconds = typeof selfTimed === 'number' ? selfTimed : (performance.now() - t0) / 1000;
            run.produceCpuPct = cpuPct(pc, performance.now() - t0);
            const c0 = performance.now();
            const cc = process.cpuUsage();
            const { firstAt, lastAt } = await side.consume(topic, count);
            run.consumeCpuPct = cpuPct(cc, performance.now() - c0);
            run.consumeSeconds = (lastAt - firstAt) / 1000;
            run.firstRecordMs = firstAt - c0;
            if (typeof selfTimed === 'number') {
              // out of process: this process's CPU and the join time say nothing about that client
              run.produceCpuPct = run.consumeCpuPct = run.firstRecordMs = Number.NaN;
            }
          } catch (err) {
            run.error = (err as Error).message;
          }
          runs.push(run);
          console.log(
            `${name} ${size} B: produce ${run.produceSeconds.toFixed(2)} s, consume ${run.consumeSeconds.toFixed(2)} s${run.error ? ` (${run.error})` : ''}`,
          );
          await admin.deleteTopics([topic]).catch(() => {});
        }
      }
  } finally {
    await admin.close();
    await broker.stop();
  }
  // one row per (client, size): the median round by rate
  const median = (xs: number[]) => {
    const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    return v.length === 0 ? Number.NaN : v[Math.floor((v.length - 1) / 2)]!;
  };
  const summary: Run[] = [];
  for (const size of [1024, 100]) {
    for (const client of [...new Set(runs.map((r) => r.client))]) {
      const rs = runs.filter((r) => r.client === client && r.size === size);
      if (rs.length === 0) continue;
      summary.push({
        client,
        size,
        records: rs[0]!.records,
        produceSeconds: median(rs.map((r) => r.produceSeconds)),
        consumeSeconds: median(rs.map((r) => r.consumeSeconds)),
        firstRecordMs: median(rs.map((r) => r.firstRecordMs)),
        produceCpuPct: median(rs.map((r) => r.produceCpuPct)),
        consumeCpuPct: median(rs.map((r) => r.consumeCpuPct)),
        ...(rs.some((r) => r.error) ? { error: rs.find((r) => r.error)!.error } : {}),
      });
    }
  }
  const row = (r: Run, what: 'produce' | 'consume'): Row => {
    const s = what === 'produce' ? r.produceSeconds : r.consumeSeconds;
    const base = summary.find((x) => x.client === 'kafkajs' && x.size === r.size);
    const bs = base ? (what === 'produce' ? base.produceSeconds : base.consumeSeconds) : Number.NaN;
    return {
      client: r.client,
      'record bytes': r.size,
      records: r.records,
      'records/s': r.records / s,
      'MB/s': (r.records * r.size) / s / 1e6,
      'x kafkajs': bs / s,
      'client CPU %': what === 'produce' ? r.produceCpuPct : r.consumeCpuPct,
      ...(what === 'consume' ? { 'join+first record ms': r.firstRecordMs } : {}),
      error: r.error ?? null,
    };
  };
  const tables: Table[] = [
    {
      title: 'produce (acks=all, 4 x 1,000-record sends in flight, 1 partition)',
      rows: summary.map((r) => row(r, 'produce')),
    },
    {
      title: 'consume (new group, earliest, 1 partition; rate from first to last record)',
      rows: summary.map((r) => row(r, 'consume')),
    },
  ];
  printTables(tables);
  if (out) {
    writeReport(out, {
      benchmark: 'client',
      script: 'dist/bench/client.js',
      argv,
      workload: `One spawned Vltava broker (vltava server start, fresh data dir). Per client and record size: a fresh 1-partition topic; produce N records (no key, acks=all, partition 0) as 4 concurrent sends of 1,000 records; then consume all N with a new group from the earliest offset. Vltava producer with batchSize 1 MiB and idempotence on; kafkajs and @platformatic/kafka with their defaults (idempotence off). librdkafka runs as confluent-kafka-python in its own process (scripts/bench-confluent.py: throughput settings, consumer by assignment rather than group) and times itself; its CPU and join columns are blank. Each (client, size) ran ${rounds} times, clients interleaved; the tables show the median per column, \`runs\` in the JSON has every round.`,
      tables,
      data: { runs },
    });
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
