/**
 * Does `vltava perf produce` report what the client really does? Runs the same workload through
 * (a) the CLI executable (`vltava perf produce --output json`, a child process, as a user runs
 * it) and (b) a plain harness driving the client Producer with the shape the client bench uses
 * (one reused payload, send everything, wait for the acks, records/s from first send to last
 * ack), also in a fresh child process so both start with a cold JIT; alternating a/b so drift on
 * a shared machine hits both, against one broker process. Prints both medians and the ratio; the acceptance bar is |1 - ratio| <= 10%.
 *
 *   node dist/bench/cli-perf-compare.js [--records 200000] [--size 100] [--partitions 3] [--rounds 3] [--acks all]
 */
import { spawn } from 'node:child_process';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Admin } from '../src/client/admin/admin.js';
import { Producer } from '../src/client/producer/producer.js';
import { spawnBroker } from './lib/processes.js';
import { argValue, machineInfo } from './lib/report.js';

const argv = process.argv.slice(2);
const records = Number(argValue(argv, '--records') ?? 200_000);
const size = Number(argValue(argv, '--size') ?? 100);
const partitions = Number(argValue(argv, '--partitions') ?? 3);
const rounds = Number(argValue(argv, '--rounds') ?? 3);
const acks = argValue(argv, '--acks') ?? 'all';

interface Run {
  recordsPerSec: number;
  mbPerSec: number;
}

async function harness(bootstrap: string, topic: string): Promise<Run> {
  const producer = new Producer({ bootstrapServers: bootstrap, acks: acks === 'all' ? -1 : (Number(acks) as 0 | 1) });
  await producer.connect();
  await producer.cluster.ensureTopics([topic]);
  const value = Buffer.alloc(size, 0x41);
  let acked = 0;
  const start = performance.now();
  for (let i = 0; i < records; i++) {
    if (!producer.writable) await producer.waitForSpace();
    else if (i % 4096 === 4095) await yieldToLoop();
    producer.send({ topic, value }).then(() => acked++);
  }
  await producer.flush();
  await yieldToLoop();
  const secs = (performance.now() - start) / 1000;
  await producer.close();
  if (acked !== records) throw new Error(`harness: ${acked} of ${records} acknowledged`);
  return { recordsPerSec: records / secs, mbPerSec: (records * size) / secs / 1024 / 1024 };
}

function cli(bootstrap: string, topic: string): Promise<Run> {
  const args = [
    'dist/src/cli/main.js',
    'perf',
    'produce',
    '--topic',
    topic,
    '--num-records',
    String(records),
    '--record-size',
    String(size),
    '--throughput',
    '-1',
    '--producer-props',
    `acks=${acks}`,
    '--output',
    'json',
    '--bootstrap-server',
    bootstrap,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`vltava perf produce exited ${code}`));
      const s = JSON.parse(out) as { recordsPerSec: number; mbPerSec: number; records: number };
      if (s.records !== records) return reject(new Error(`cli: ${s.records} of ${records} acknowledged`));
      resolve({ recordsPerSec: s.recordsPerSec, mbPerSec: s.mbPerSec });
    });
  });
}

/** The harness in its own process (this script re-run with --harness-child), like the CLI. */
function harnessChild(bootstrap: string, topic: string): Promise<Run> {
  const args = [process.argv[1]!, ...argv, '--harness-child', bootstrap, '--topic', topic];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Run) : reject(new Error(`harness exited ${code}`)),
    );
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const childBootstrap = argValue(argv, '--harness-child');
if (childBootstrap !== undefined) {
  console.log(JSON.stringify(await harness(childBootstrap, argValue(argv, '--topic')!)));
  process.exit(0);
}

const broker = await spawnBroker();
const bootstrap = `127.0.0.1:${broker.port}`;
try {
  const admin = new Admin({ bootstrapServers: bootstrap });
  const topics = ['cmp-harness', 'cmp-cli'];
  await admin.createTopics(topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })));
  await admin.close();
  const a: Run[] = [];
  const b: Run[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(await harnessChild(bootstrap, 'cmp-harness'));
    b.push(await cli(bootstrap, 'cmp-cli'));
    process.stderr.write(
      `round ${r + 1}: harness ${a[r]!.recordsPerSec.toFixed(0)} rec/s, cli ${b[r]!.recordsPerSec.toFixed(0)} rec/s\n`,
    );
  }
  const ha = median(a.map((x) => x.recordsPerSec));
  const cb = median(b.map((x) => x.recordsPerSec));
  const m = machineInfo();
  const ratio = cb / ha;
  console.log(
    JSON.stringify(
      {
        workload: { records, recordSizeBytes: size, partitions, acks, throughput: 'unlimited', rounds },
        machine: m,
        command: `node dist/bench/cli-perf-compare.js ${argv.join(' ')}`.trim(),
        harness: {
          recordsPerSecMedian: Math.round(ha),
          mbPerSecMedian: +median(a.map((x) => x.mbPerSec)).toFixed(2),
          runs: a.map((x) => Math.round(x.recordsPerSec)),
        },
        cli: {
          recordsPerSecMedian: Math.round(cb),
          mbPerSecMedian: +median(b.map((x) => x.mbPerSec)).toFixed(2),
          runs: b.map((x) => Math.round(x.recordsPerSec)),
        },
        ratio: +ratio.toFixed(3),
        withinTenPercent: Math.abs(1 - ratio) <= 0.1,
      },
      null,
      2,
    ),
  );
} finally {
  await broker.stop();
}
