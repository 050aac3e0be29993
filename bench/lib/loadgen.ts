/**
 * Third-party load generators against a broker process: librdkafka through kcat and through
 * confluent-kafka-python (scripts/bench-confluent.py, run by /usr/bin/python3), and kafkajs in
 * this process. Each returns records and elapsed seconds; every child is bounded by a timeout.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Kafka, logLevel } from 'kafkajs';
import { HOST, runCommand } from './processes.js';

export interface ClientRun {
  records: number;
  seconds: number;
  /** Why the run could not complete, when it did not. */
  error?: string;
}

/** The run a load generator reports when it could not run at all. */
export function failedRun(err: unknown): ClientRun {
  return { records: 0, seconds: 0, error: (err as Error).message };
}

const PYTHON = '/usr/bin/python3';
const SCRIPT = 'scripts/bench-confluent.py';

/** librdkafka settings a throughput-minded user sets (as Kafka's perf tools do). */
const KCAT_PRODUCER = [
  '-X',
  'linger.ms=5',
  '-X',
  'batch.size=1000000',
  '-X',
  'queue.buffering.max.messages=2000000',
  '-X',
  'queue.buffering.max.kbytes=2097152',
];

/** A file of `count` lines of `size` bytes + '\n', so kcat -l sends `size`-byte records. */
async function recordFile(count: number, size: number): Promise<string> {
  const path = join(tmpdir(), `vltava-bench-records-${process.pid}-${size}-${count}.txt`);
  const line = Buffer.alloc(size + 1, 0x78);
  line[size] = 0x0a;
  const chunk = Buffer.concat(Array.from({ length: Math.max(1, Math.floor(65536 / size)) }, () => line));
  const perChunk = chunk.length / (size + 1);
  const out = createWriteStream(path);
  let left = count;
  while (left > 0) {
    const n = Math.min(left, perChunk);
    if (!out.write(n === perChunk ? chunk : chunk.subarray(0, n * (size + 1)))) await once(out, 'drain');
    left -= n;
  }
  out.end();
  await once(out, 'close');
  return path;
}

export async function kcatProduce(
  port: number,
  topic: string,
  size: number,
  acks: number,
  count: number,
  timeoutMs: number,
): Promise<ClientRun> {
  const file = await recordFile(count, size);
  try {
    const r = await runCommand(
      'kcat',
      ['-P', '-b', `${HOST}:${port}`, '-t', topic, '-p', '0', '-X', `acks=${acks}`, ...KCAT_PRODUCER, '-l', file],
      timeoutMs,
    );
    if (r.code !== 0)
      return { records: 0, seconds: r.ms / 1000, error: `kcat exit ${r.code}: ${r.stderr.slice(0, 200)}` };
    return { records: count, seconds: r.ms / 1000 };
  } finally {
    await rm(file, { force: true });
  }
}

export async function kcatConsume(port: number, topic: string, count: number, timeoutMs: number): Promise<ClientRun> {
  // -f '' would still format; '%o\n' is a few bytes per record, counted to check completeness.
  const r = await runCommand(
    'kcat',
    [
      '-C',
      '-b',
      `${HOST}:${port}`,
      '-t',
      topic,
      '-p',
      '0',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-c',
      String(count),
      '-f',
      '.',
      '-X',
      'fetch.max.bytes=52428800',
      '-X',
      'queued.min.messages=1000000',
    ],
    timeoutMs,
  );
  if (r.code !== 0)
    return { records: 0, seconds: r.ms / 1000, error: `kcat exit ${r.code}: ${r.stderr.slice(0, 200)}` };
  // -e exits 0 at the end of the partition even when it holds fewer than `count` records.
  const records = r.stdoutBytes;
  return {
    records,
    seconds: r.ms / 1000,
    ...(records !== count ? { error: `read ${records} of ${count}` } : {}),
  };
}

async function python(args: string[], timeoutMs: number): Promise<Record<string, unknown>> {
  const r = await runCommand(PYTHON, [SCRIPT, ...args], timeoutMs);
  if (r.code !== 0) throw new Error(`bench-confluent.py exit ${r.code}: ${r.stderr.slice(-300)}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

export async function confluentProduce(
  port: number,
  topic: string,
  size: number,
  acks: number,
  count: number,
  timeoutMs: number,
): Promise<ClientRun> {
  try {
    const r = await python(
      [
        'produce',
        `${HOST}:${port}`,
        topic,
        '--count',
        String(count),
        '--size',
        String(size),
        '--acks',
        String(acks),
        '--timeout',
        String(timeoutMs / 1000),
      ],
      timeoutMs + 5000,
    );
    const failed = Number(r.errors) + Number(r.undelivered);
    return {
      records: count - failed,
      seconds: Number(r.seconds),
      ...(failed ? { error: `${failed} not delivered` } : {}),
    };
  } catch (err) {
    return failedRun(err);
  }
}

export async function confluentConsume(
  port: number,
  topic: string,
  count: number,
  timeoutMs: number,
): Promise<ClientRun> {
  try {
    const r = await python(
      ['consume', `${HOST}:${port}`, topic, '--count', String(count), '--timeout', String(timeoutMs / 1000)],
      timeoutMs + 5000,
    );
    // The script stops at its deadline with what it read by then.
    const records = Number(r.count);
    return {
      records,
      seconds: Number(r.seconds),
      ...(records !== count ? { error: `read ${records} of ${count} in ${timeoutMs} ms` } : {}),
    };
  } catch (err) {
    return failedRun(err);
  }
}

export async function confluentE2e(
  port: number,
  topic: string,
  rateMBps: number,
  size: number,
  seconds: number,
): Promise<{ latencyMs: number[]; sent: number; undelivered: number; error?: string }> {
  try {
    const r = await python(
      [
        'e2e',
        `${HOST}:${port}`,
        topic,
        '--rate',
        String(rateMBps),
        '--size',
        String(size),
        '--seconds',
        String(seconds),
      ],
      (seconds + 40) * 1000,
    );
    return { latencyMs: r.latencyMs as number[], sent: Number(r.sent), undelivered: Number(r.undelivered ?? 0) };
  } catch (err) {
    return { latencyMs: [], sent: 0, undelivered: 0, error: (err as Error).message };
  }
}

function kafka(port: number): Kafka {
  return new Kafka({
    clientId: 'vltava-bench',
    brokers: [`${HOST}:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
}

/** kafkajs producer: `inFlight` concurrent send() calls of `perSend` records each, for `seconds`. */
export async function kafkajsProduce(
  port: number,
  topic: string,
  size: number,
  acks: number,
  seconds: number,
  perSend = 1000,
  inFlight = 4,
): Promise<ClientRun> {
  const producer = kafka(port).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = Buffer.alloc(size, 0x78);
  const messages = Array.from({ length: perSend }, () => ({ value }));
  let records = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (performance.now() < end) {
          await producer.send({ topic, acks, messages: messages.map((m) => ({ ...m, partition: 0 })) });
          records += perSend;
        }
      }),
    );
    return { records, seconds: (performance.now() - t0) / 1000 };
  } catch (err) {
    return { records, seconds: (performance.now() - t0) / 1000, error: (err as Error).message };
  } finally {
    await producer.disconnect();
  }
}

/** kafkajs consumer (needs the consumer-group APIs): reads `count` records from the beginning. */
export async function kafkajsConsume(
  port: number,
  topic: string,
  count: number,
  timeoutMs: number,
): Promise<ClientRun> {
  const consumer = kafka(port).consumer({
    groupId: `bench-${Date.now()}`,
    maxBytes: 52428800,
    maxBytesPerPartition: 8388608,
  });
  let records = 0;
  const t0 = performance.now();
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    await consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        records += batch.messages.length;
        if (records >= count) finish();
      },
    });
    const timer = new Promise<string>((r) => setTimeout(() => r('timeout'), timeoutMs));
    const outcome = await Promise.race([done.then(() => 'done'), timer]);
    const seconds = (performance.now() - t0) / 1000;
    return outcome === 'done'
      ? { records, seconds }
      : { records, seconds, error: `read ${records} of ${count} in ${timeoutMs} ms` };
  } catch (err) {
    return { records, seconds: (performance.now() - t0) / 1000, error: (err as Error).message };
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}
