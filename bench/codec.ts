/**
 * Codec benchmark: the broker's per-request cost on the produce path, Produce request decode plus
 * RecordBatch validation (framing + CRC32C, no record decoding), against a bare CRC32C pass over
 * the same bytes.
 *
 * Workloads (1 MiB of 1 KiB records, uncompressed, in one Produce v9 request; Kafka allows one
 * batch per partition in Produce v3+):
 *   - "16 x 64 KiB": 16 partitions, one batch of 64 records each (~66 KiB batches);
 *   - "1 x 1 MiB":   1 partition, one batch of 1024 records.
 * Each record: 16-byte key, 1008-byte value (random bytes), no headers.
 *
 * Measured per request (median over rounds; in each round the three take turns, each timing a
 * loop of requests):
 *   crc         crc32c over each batch's CRC-covered bytes (attributes..end): the floor;
 *   validate    validateRecordBatches on each partition's records (clientOrigin rules on);
 *   decode+val  decodeRequest of the whole frame, then validate each partition's records.
 * Target (issue 2): validate <= 1.5 x crc.
 *
 * Usage: node dist/bench/codec.js [--smoke] [--out FILE]
 *   --smoke: tiny sizes and few iterations, to check the bench runs (numbers mean nothing);
 *            results go to --out only when given.
 * Default output: bench/results/codec.json.
 */
import { randomBytes } from 'node:crypto';
import { decodeRequest, encodeRequestFrame } from '../src/protocol/framing.js';
import type { ProduceRequest } from '../src/protocol/messages/00-produce.js';
import { ATTRIBUTES_OFFSET, crc32c, encodeRecordBatch, validateRecordBatches } from '../src/protocol/records/index.js';
import { printTables, type Table, writeReport } from './lib/report.js';

interface Workload {
  name: string;
  partitions: number;
  recordsPerBatch: number;
  recordBytes: number;
}

interface Result {
  workload: string;
  frameBytes: number;
  batches: number;
  crcUs: number;
  validateUs: number;
  decodeValidateUs: number;
  validateOverCrc: number;
  decodeValidateOverCrc: number;
  crcMBps: number;
  validateMBps: number;
}

const PRODUCE = 0;
const PRODUCE_VERSION = 9;
const KEY_BYTES = 16;

function buildRequest(w: Workload): Buffer {
  const partitionData = [];
  for (let p = 0; p < w.partitions; p++) {
    const records = [];
    for (let i = 0; i < w.recordsPerBatch; i++) {
      records.push({ key: randomBytes(KEY_BYTES), value: randomBytes(w.recordBytes - KEY_BYTES), timestampDelta: i });
    }
    const batch = encodeRecordBatch({
      baseTimestamp: 1_700_000_000_000,
      producerId: 1000n,
      producerEpoch: 0,
      baseSequence: p * w.recordsPerBatch,
      records,
    });
    partitionData.push({ index: p, records: batch });
  }
  const request: ProduceRequest = {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [{ name: 'bench', partitionData }],
  };
  return encodeRequestFrame(
    { requestApiKey: PRODUCE, requestApiVersion: PRODUCE_VERSION, correlationId: 1, clientId: 'bench' },
    request,
  );
}

/**
 * Median per-call time in microseconds of each function, over `rounds` rounds of `iters` calls.
 * The functions take turns within every round, so load changes on the machine hit all alike.
 */
function timeInterleaved(fns: (() => number)[], rounds: number, iters: number): number[] {
  let sink = 0;
  for (const fn of fns) for (let i = 0; i < iters; i++) sink += fn(); // warm-up
  const perCall: number[][] = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, k) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < iters; i++) sink += fn();
      perCall[k]!.push(Number(process.hrtime.bigint() - t0) / 1000 / iters);
    });
  }
  if (sink === 0.5) console.log(''); // keeps the work observable to the optimiser
  return perCall.map((xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
}

function runWorkload(w: Workload, rounds: number, iters: number): Result {
  const frame = buildRequest(w);
  const body = frame.subarray(4);
  const { request } = decodeRequest(body);
  const batches = (request as ProduceRequest).topicData[0]!.partitionData.map((p) => p.records!);
  const crcRegions = batches.map((b) => b.subarray(ATTRIBUTES_OFFSET));
  const bytes = batches.reduce((n, b) => n + b.length, 0);

  const crc = (): number => {
    let x = 0;
    for (const r of crcRegions) x ^= crc32c(r);
    return x;
  };
  const validate = (): number => {
    let n = 0;
    for (const b of batches) n += validateRecordBatches(b, { clientOrigin: true }).length;
    return n;
  };
  const decodeValidate = (): number => {
    const req = decodeRequest(body).request as ProduceRequest;
    let n = 0;
    for (const t of req.topicData)
      for (const p of t.partitionData) n += validateRecordBatches(p.records!, { clientOrigin: true }).length;
    return n;
  };
  const [crcUs, validateUs, decodeValidateUs] = timeInterleaved([crc, validate, decodeValidate], rounds, iters) as [
    number,
    number,
    number,
  ];
  const mbps = (us: number) => Math.round(((bytes / us) * 1e6) / (1024 * 1024));
  return {
    workload: w.name,
    frameBytes: frame.length,
    batches: batches.length,
    crcUs: +crcUs.toFixed(2),
    validateUs: +validateUs.toFixed(2),
    decodeValidateUs: +decodeValidateUs.toFixed(2),
    validateOverCrc: +(validateUs / crcUs).toFixed(3),
    decodeValidateOverCrc: +(decodeValidateUs / crcUs).toFixed(3),
    crcMBps: mbps(crcUs),
    validateMBps: mbps(validateUs),
  };
}

export function main(argv: string[]): { results: Result[]; out: string | null } {
  const smoke = argv.includes('--smoke');
  const outAt = argv.indexOf('--out');
  const out = outAt >= 0 ? argv[outAt + 1]! : smoke ? null : 'bench/results/codec.json';
  const workloads: Workload[] = smoke
    ? [
        { name: '2 x 4 records (smoke)', partitions: 2, recordsPerBatch: 4, recordBytes: 64 },
        { name: '1 x 8 records (smoke)', partitions: 1, recordsPerBatch: 8, recordBytes: 64 },
      ]
    : [
        { name: '16 x 64 KiB', partitions: 16, recordsPerBatch: 64, recordBytes: 1024 },
        { name: '1 x 1 MiB', partitions: 1, recordsPerBatch: 1024, recordBytes: 1024 },
      ];
  const [rounds, iters] = smoke ? [3, 5] : [41, 200];
  const results = workloads.map((w) => runWorkload(w, rounds, iters));

  const table: Table = {
    title: 'codec: per Produce request of 1 MiB',
    rows: results.map((r) => ({
      workload: r.workload,
      'frame bytes': r.frameBytes,
      batches: r.batches,
      'crc µs': r.crcUs,
      'validate µs': r.validateUs,
      'decode+validate µs': r.decodeValidateUs,
      'validate/crc': r.validateOverCrc,
      'decode+validate/crc': r.decodeValidateOverCrc,
      'crc MiB/s': r.crcMBps,
      'validate MiB/s': r.validateMBps,
    })),
    note: 'Target (issue 2): validate/crc <= 1.5.',
  };
  printTables([table]);
  if (out) {
    writeReport(out, {
      benchmark: 'codec',
      script: 'dist/bench/codec.js',
      argv,
      workload:
        '1 MiB of 1 KiB records (16 B key + 1008 B random value, no headers), uncompressed, in one Produce v9 ' +
        `request; median µs per request over ${rounds} rounds x ${iters} requests`,
      tables: [table],
      data: { target: 'validateOverCrc <= 1.5', results },
    });
  }
  return { results, out };
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
