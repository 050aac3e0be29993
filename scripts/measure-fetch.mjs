#!/usr/bin/env node
// Fetch throughput of an in-process broker: produce 100 MiB (1000-byte records, ~1 MB batches) to one
// partition on disk, then fetch it all from offset 0 over a real socket with a client that only
// frames responses (no decoding) in a child process, 5 times; prints MiB/s and the broker
// process's CPU time per MiB fetched.
// Usage: npm run build && node scripts/measure-fetch.mjs [--storage memory|disk] [--copy]
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '../dist/src/broker/broker.js';
import { FrameDecoder } from '../dist/src/broker/net/frame-decoder.js';
import { encodeRequestFrame } from '../dist/src/protocol/framing.js';
import { Writer } from '../dist/src/protocol/primitives/writer.js';
import { encodeRecordBatch } from '../dist/src/protocol/records/encode.js';

if (process.argv[2] === '--fetch-client') {
  const [, , , bootstrap, leoArg, batchBytesArg, perBatchArg] = process.argv;
  await fetchClient(bootstrap, Number(leoArg), Number(batchBytesArg), Number(perBatchArg));
  process.exit(0);
}

async function fetchClient(bootstrap, leo, batchBytes, perBatch) {
  const [h, p] = bootstrap.split(':');
  const s = connect({ host: h, port: Number(p) });
  await once(s, 'connect');
  const d = new FrameDecoder(1 << 30);
  let id = 1;
  const pending = new Map();
  s.on('data', (c) => {
    d.push(c);
    for (let f = d.next(); f !== undefined; f = d.next()) pending.get(f.readInt32BE(0))?.(f);
  });
  const req = (body) => {
    const correlationId = id++;
    return new Promise((resolve) => {
      pending.set(correlationId, resolve);
      s.write(encodeRequestFrame({ requestApiKey: 1, requestApiVersion: 12, correlationId, clientId: 'measure' }, body));
    });
  };
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  // Whole batches up to 16 MiB per fetch, so each response holds a known number of batches.
  const step = Math.floor((16 * 1024 * 1024) / batchBytes) * perBatch;
  for (let offset = 0; offset < leo; offset += step) bytes += (await req(fetchReq(offset))).length;
  process.send({ bytes, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
  s.end();
}

function fetchReq(offset) {
  return {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 1, maxBytes: 64 * 1024 * 1024,
    isolationLevel: 0, sessionId: 0, sessionEpoch: -1, rackId: '', forgottenTopicsData: [],
    topics: [{ topic: 'm', topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: BigInt(offset), lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 16 * 1024 * 1024, replicaDirectoryId: Buffer.alloc(16) }] }],
  };
}

// --copy: encode responses into one contiguous buffer (the behaviour before splicing), to compare.
const spliced = Writer.prototype.finishChunks;
if (process.argv.includes('--copy')) {
  Writer.prototype.finishChunks = function () {
    const out = spliced.call(this);
    return Array.isArray(out) ? Buffer.concat(out) : out;
  };
}
const mode = process.argv.includes('--copy') ? 'copy' : 'splice';
const storage = process.argv.includes('--storage') ? process.argv[process.argv.indexOf('--storage') + 1] : 'disk';
const TOTAL = 100 * 1024 * 1024;
const dir = await mkdtemp(join(tmpdir(), 'vltava-measure-'));
const broker = await startBroker({ port: 0, storage, config: { 'log.dirs': dir, 'fetch.max.bytes': 64 * 1024 * 1024 } });
const [host, port] = broker.bootstrapServers.split(':');
const sock = connect({ host, port: Number(port) });
await once(sock, 'connect');
const decoder = new FrameDecoder(1 << 30);
let cid = 1;
const waiting = new Map();
sock.on('data', (c) => {
  decoder.push(c);
  for (let f = decoder.next(); f !== undefined; f = decoder.next()) waiting.get(f.readInt32BE(0))?.(f);
});
const request = (apiKey, version, body) => {
  const correlationId = cid++;
  return new Promise((resolve) => {
    waiting.set(correlationId, resolve);
    sock.write(encodeRequestFrame({ requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: 'measure' }, body));
  });
};
await request(19, 7, { topics: [{ name: 'm', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 10000, validateOnly: false });
const value = Buffer.alloc(1024, 0x61);
const PER_BATCH = 1000;
const batch = () => encodeRecordBatch({ records: Array.from({ length: PER_BATCH }, () => ({ key: null, value: value.subarray(0, 1000) })) });
const batchBytes = batch().length;
for (let n = 0; n < TOTAL; n += batchBytes) {
  await request(0, 9, { transactionalId: null, acks: 1, timeoutMs: 10000, topicData: [{ name: 'm', partitionData: [{ index: 0, records: batch() }] }] });
}
const leo = broker.context.replicas.getPartition('m', 0).logEndOffset;
// The fetching client runs in a child process, so this process's CPU time is the broker's alone.
const { fork } = await import('node:child_process');
for (let round = 0; round < 5; round++) {
  const cpu0 = process.cpuUsage();
  const child = fork(new URL(import.meta.url).pathname, ['--fetch-client', broker.bootstrapServers, String(leo), String(batchBytes), String(PER_BATCH)]);
  const [{ bytes, ms }] = await once(child, 'message');
  const cpu = process.cpuUsage(cpu0);
  const mib = bytes / 1048576;
  console.log(`${storage} ${mode} round ${round}: ${mib.toFixed(0)} MiB in ${ms.toFixed(0)} ms = ${(mib / (ms / 1000)).toFixed(0)} MiB/s, broker CPU ${((cpu.user + cpu.system) / 1000 / mib).toFixed(2)} ms/MiB`);
}
sock.end();
await broker.close();
await rm(dir, { recursive: true, force: true });
