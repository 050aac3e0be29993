#!/usr/bin/env node
// Dev tool: captures request frames from real Kafka clients as golden fixtures.
//
// Runs a minimal broker stand-in on 127.0.0.1 built on the generated codecs (it answers just
// enough for clients to send the interesting requests: ApiVersions, Metadata, Produce, ListOffsets,
// Fetch, FindCoordinator, JoinGroup, SyncGroup, OffsetFetch, OffsetCommit, Heartbeat, LeaveGroup),
// drives kcat (librdkafka) and kafkajs against it, and writes the first frame of each
// (client, API, version, suffix) to test/fixtures/golden/ with a JSON of what the scenario sent.
//
// Usage: npm run build && node scripts/capture-golden.mjs [out-dir]
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { join } from 'node:path';
import { decodeRequestFrame, encodeResponseFrame } from '../dist/src/protocol/framing.js';
import { apiByKey, apis } from '../dist/src/protocol/messages/index.js';

const OUT = process.argv[2] ?? 'test/fixtures/golden';
const TOPIC = 'golden';
const TOPIC_ID = Buffer.from('6f6c6476-6c74-6176-a000-000000000001'.replaceAll('-', ''), 'hex');
// values are padded so that every codec shrinks the batch: librdkafka sends a batch uncompressed
// when compression would not make it smaller
const RECORDS = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}-${'golden'.repeat(10)}` }));
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const kebab = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

// ---------------------------------------------------------------------------------------------
// responses are written as partial objects; missing fields get Kafka's defaults from schema/

const schemas = new Map(
  readdirSync('schema')
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const s = JSON.parse(readFileSync(join('schema', f), 'utf8'));
      return [s.name, s];
    }),
);
const camel = (s) => s[0].toLowerCase() + s.slice(1);

function fill(schema, fields, partial) {
  const common = new Map((schema.commonStructs ?? []).map((c) => [c.name, c.fields]));
  const sub = (f) => f.fields ?? common.get(f.type.replace(/^\[\]/, ''));
  const o = {};
  for (const f of fields) {
    const p = camel(f.name);
    const isStruct = /^(\[\])?[A-Z]/.test(f.type);
    const v = partial?.[p];
    if (v !== undefined) {
      if (isStruct && f.type.startsWith('[]') && v !== null) o[p] = v.map((e) => fill(schema, sub(f), e));
      else if (isStruct && v !== null) o[p] = fill(schema, sub(f), v);
      else o[p] = v;
      continue;
    }
    const d = f.default;
    if (f.type.startsWith('[]')) o[p] = d === 'null' ? null : [];
    else if (isStruct) o[p] = d === 'null' ? null : fill(schema, sub(f), {});
    else if (f.type === 'bool') o[p] = d === 'true';
    else if (f.type === 'int64') o[p] = BigInt(d ?? 0);
    else if (f.type === 'string') o[p] = d === 'null' ? null : (d ?? '');
    else if (f.type === 'bytes') o[p] = d === 'null' ? null : Buffer.alloc(0);
    else if (f.type === 'uuid') o[p] = Buffer.alloc(16);
    else if (f.type === 'records') o[p] = null;
    else o[p] = Number(d ?? 0);
  }
  return o;
}

const response = (apiName, partial) => {
  const s = schemas.get(`${apiName}Response`);
  return fill(s, s.fields, partial);
};

// ---------------------------------------------------------------------------------------------
// the stand-in broker

let port = 0;
let client = 'unknown';
const log = []; // stored batches of golden-0, offsets patched in
const committed = new Map(); // `${group}/${topic}/${partition}` -> offset
let nextOffset = 0n;
const saved = new Set();
const pendingTimers = new Set();

function codecOf(records) {
  if (!records || records.length < 23) return 'none';
  return ['none', 'gzip', 'snappy', 'lz4', 'zstd'][records.readInt16BE(21) & 7] ?? 'unknown';
}

function save(frameWithPrefix, header, request) {
  const api = apiByKey(header.requestApiKey);
  let suffix = '';
  // expectations come from what each scenario asked its client to do, not from decoding
  const expect = { clientId: CLIENT_IDS[client] };
  switch (api.name) {
    case 'Produce': {
      const p = request.topicData[0]?.partitionData[0];
      suffix = `-${codecOf(p?.records)}`;
      expect.topics = request.topicData.map((t) => t.name);
      expect.partitions = request.topicData[0]?.partitionData.map((d) => d.index);
      expect.compression = codecOf(p?.records);
      expect.records = RECORDS;
      break;
    }
    case 'Metadata':
      // librdkafka's admin client first asks for brokers only (an empty topic list)
      expect.topics = client === 'confluent-kafka-python' ? [] : [TOPIC];
      break;
    case 'ListOffsets':
    case 'OffsetCommit':
    case 'Fetch':
      expect.topics = [TOPIC];
      break;
    case 'CreateTopics':
    case 'CreatePartitions':
    case 'DeleteTopics':
      expect.topics = [TOPIC];
      break;
    case 'DescribeConfigs':
      expect.resources = [TOPIC];
      break;
    case 'JoinGroup':
    case 'SyncGroup':
    case 'Heartbeat':
    case 'LeaveGroup':
    case 'OffsetFetch':
      expect.groupId = currentGroup;
      break;
    case 'FindCoordinator':
      expect.key = currentGroup;
      break;
  }
  const name = `${client}-${kebab(api.name)}-v${header.requestApiVersion}${suffix}`;
  if (saved.has(name)) return;
  saved.add(name);
  writeFileSync(join(OUT, `${name}.bin`), frameWithPrefix);
  const meta = {
    client,
    clientVersion: clientVersions[client],
    apiKey: header.requestApiKey,
    apiName: api.name,
    apiVersion: header.requestApiVersion,
    ...expect,
  };
  writeFileSync(join(OUT, `${name}.json`), `${JSON.stringify(meta, null, 2)}\n`);
}

let currentGroup = '';

function handle(header, request, reply) {
  const api = apiByKey(header.requestApiKey);
  const v = header.requestApiVersion;
  const self = { nodeId: 1, host: '127.0.0.1', port };
  switch (api.name) {
    case 'ApiVersions':
      return reply(
        response('ApiVersions', {
          apiKeys: apis
            .filter((a) => !a.listeners.every((l) => l === 'zkBroker'))
            .map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion })),
        }),
      );
    case 'Metadata': {
      const names =
        request.topics === null || request.topics.length === 0 ? [TOPIC] : request.topics.map((t) => t.name ?? TOPIC);
      return reply(
        response('Metadata', {
          brokers: [self],
          clusterId: 'vltava-golden',
          controllerId: 1,
          topics: names.map((name) => ({
            name,
            topicId: TOPIC_ID,
            partitions: [{ partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1] }],
          })),
        }),
      );
    }
    case 'Produce': {
      const responses = request.topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p) => {
          const base = nextOffset;
          if (p.records && p.records.length >= 61) {
            const batch = Buffer.from(p.records);
            batch.writeBigInt64BE(base, 0);
            nextOffset += BigInt(batch.readInt32BE(23) + 1);
            log.push({ base, batch });
          }
          return { index: p.index, baseOffset: base, logAppendTimeMs: -1n, logStartOffset: 0n };
        }),
      }));
      if (request.acks === 0) return;
      return reply(response('Produce', { responses }));
    }
    case 'ListOffsets':
      return reply(
        response('ListOffsets', {
          topics: request.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              timestamp: -1n,
              offset: p.timestamp === -2n ? 0n : nextOffset,
              oldStyleOffsets: v === 0 ? [p.timestamp === -2n ? 0n : nextOffset] : [],
            })),
          })),
        }),
      );
    case 'Fetch': {
      let any = false;
      const responses = request.topics.map((t) => ({
        topic: t.topic,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => {
          const batches = log
            .filter((b) => b.base + BigInt(b.batch.readInt32BE(23)) >= p.fetchOffset)
            .map((b) => b.batch);
          if (batches.length) any = true;
          return {
            partitionIndex: p.partition,
            highWatermark: nextOffset,
            lastStableOffset: nextOffset,
            logStartOffset: 0n,
            abortedTransactions: [],
            preferredReadReplica: -1,
            records: Buffer.concat(batches),
          };
        }),
      }));
      const body = response('Fetch', { responses });
      if (any) return reply(body);
      // an empty fetch waits like a broker would, so clients do not spin
      const t = setTimeout(
        () => {
          pendingTimers.delete(t);
          reply(body);
        },
        Math.min(request.maxWaitMs, 100),
      );
      pendingTimers.add(t);
      return;
    }
    case 'FindCoordinator':
      currentGroup = request.key || request.coordinatorKeys?.[0] || currentGroup;
      return reply(
        response('FindCoordinator', {
          ...self,
          coordinators: (request.coordinatorKeys ?? []).map((key) => ({ key, ...self })),
        }),
      );
    case 'JoinGroup': {
      currentGroup = request.groupId;
      const memberId = request.memberId || `${header.clientId}-member-1`;
      const protocol = request.protocols[0];
      return reply(
        response('JoinGroup', {
          generationId: 1,
          protocolType: request.protocolType,
          protocolName: protocol?.name ?? '',
          leader: memberId,
          memberId,
          members: [
            { memberId, groupInstanceId: request.groupInstanceId, metadata: protocol?.metadata ?? Buffer.alloc(0) },
          ],
        }),
      );
    }
    case 'SyncGroup': {
      const mine = request.assignments.find((a) => a.memberId === request.memberId);
      return reply(
        response('SyncGroup', {
          protocolType: request.protocolType,
          protocolName: request.protocolName,
          assignment: mine?.assignment ?? Buffer.alloc(0),
        }),
      );
    }
    case 'Heartbeat':
    case 'LeaveGroup':
      return reply(response(api.name, { members: (request.members ?? []).map((m) => ({ memberId: m.memberId })) }));
    case 'OffsetFetch': {
      const topicsFor = (group, topics) =>
        (topics ?? [{ name: TOPIC, partitionIndexes: [0] }]).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((p) => ({
            partitionIndex: p,
            committedOffset: committed.get(`${group}/${t.name}/${p}`) ?? -1n,
            committedLeaderEpoch: -1,
            metadata: '',
          })),
        }));
      if (v >= 8) {
        return reply(
          response('OffsetFetch', {
            groups: request.groups.map((g) => ({ groupId: g.groupId, topics: topicsFor(g.groupId, g.topics) })),
          }),
        );
      }
      return reply(response('OffsetFetch', { topics: topicsFor(request.groupId, request.topics) }));
    }
    case 'OffsetCommit':
      for (const t of request.topics) {
        for (const p of t.partitions)
          committed.set(`${request.groupId}/${t.name}/${p.partitionIndex}`, p.committedOffset);
      }
      commits++;
      return reply(
        response('OffsetCommit', {
          topics: request.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex })),
          })),
        }),
      );
    case 'ListGroups':
      return reply(response('ListGroups', { groups: [] }));
    case 'CreateTopics':
      return reply(
        response('CreateTopics', {
          topics: request.topics.map((t) => ({
            name: t.name,
            topicId: TOPIC_ID,
            numPartitions: 1,
            replicationFactor: 1,
          })),
        }),
      );
    case 'CreatePartitions':
      return reply(response('CreatePartitions', { results: request.topics.map((t) => ({ name: t.name })) }));
    case 'DeleteTopics':
      return reply(
        response('DeleteTopics', {
          responses: (v >= 6 ? request.topics.map((t) => t.name) : request.topicNames).map((name) => ({ name })),
        }),
      );
    case 'DescribeConfigs':
      return reply(
        response('DescribeConfigs', {
          results: request.resources.map((r) => ({ resourceType: r.resourceType, resourceName: r.resourceName })),
        }),
      );
    case 'InitProducerId':
      return reply(response('InitProducerId', { producerId: 1000n, producerEpoch: 0 }));
    default:
      console.error(`capture: no answer for ${api.name} v${v} from ${client}`);
  }
}

let commits = 0;

function serve(socket) {
  let buf = Buffer.alloc(0);
  socket.on('error', () => {});
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      const size = buf.readInt32BE(0);
      const frame = buf.subarray(0, 4 + size);
      buf = buf.subarray(4 + size);
      const { header, body } = decodeRequestFrame(frame.subarray(4));
      const api = apiByKey(header.requestApiKey);
      const request = api.decodeRequest(body, header.requestApiVersion);
      save(frame, header, request);
      handle(header, request, (res) => {
        if (!socket.destroyed) {
          socket.write(encodeResponseFrame(header.requestApiKey, header.requestApiVersion, header.correlationId, res));
        }
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// clients

const CLIENT_IDS = { kcat: 'rdkafka', kafkajs: 'vltava-golden', 'confluent-kafka-python': 'vltava-golden-py' };
const clientVersions = {
  kcat: '',
  kafkajs: createRequire(import.meta.url)('kafkajs/package.json').version,
};

function run(cmd, args, { input, timeoutMs = 20000, until } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    const poll = until
      ? setInterval(() => {
          if (until()) child.kill('SIGTERM');
        }, 50)
      : null;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ code, signal, out, err });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

async function kcat() {
  client = 'kcat';
  const v = await run('kcat', ['-V']);
  const kv = v.out + v.err;
  clientVersions.kcat = `${/Version ([\d.]+)/.exec(kv)?.[1]} (librdkafka ${/librdkafka ([\d.]+)/.exec(kv)?.[1]})`;
  const b = ['-b', `127.0.0.1:${port}`];
  await run('kcat', [...b, '-L', '-t', TOPIC]);
  for (const codec of CODECS) {
    const input = `${RECORDS.map((r) => `${r.key}:${r.value}`).join('\n')}\n`;
    const res = await run('kcat', [...b, '-P', '-t', TOPIC, '-p', '0', '-K', ':', '-z', codec, '-X', 'linger.ms=100'], {
      input,
    });
    if (res.code !== 0 || process.env.CAPTURE_DEBUG) console.error(`kcat produce ${codec}: ${res.code} ${res.err}`);
  }
  await run('kcat', [...b, '-C', '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e', '-q']);
  currentGroup = 'golden-group-kcat';
  const before = commits;
  await run(
    'kcat',
    [...b, '-G', currentGroup, '-X', 'auto.offset.reset=earliest', '-X', 'auto.commit.interval.ms=100', '-q', TOPIC],
    { until: () => commits > before, timeoutMs: 20000 },
  );
}

async function kafkajs() {
  client = 'kafkajs';
  // a fresh log: kafkajs cannot decompress the snappy/lz4/zstd batches kcat left behind
  log.length = 0;
  nextOffset = 0n;
  const require = createRequire(import.meta.url);
  const { Kafka, CompressionTypes, logLevel } = require('kafkajs');
  const kafka = new Kafka({ clientId: 'vltava-golden', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  // kafkajs ships gzip only; other codecs would be whatever library we plugged in, not kafkajs'
  for (const compression of [CompressionTypes.None, CompressionTypes.GZIP]) {
    await producer.send({ topic: TOPIC, compression, messages: RECORDS.map((r) => ({ ...r, partition: 0 })) });
  }
  await producer.disconnect();
  currentGroup = 'golden-group-kafkajs';
  const consumer = kafka.consumer({ groupId: currentGroup });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  const before = commits;
  await new Promise((resolve) => {
    let done = false;
    consumer.run({
      eachMessage: async () => {
        if (!done && commits > before) {
          done = true;
          resolve();
        }
      },
    });
    const t = setInterval(() => {
      if (commits > before) {
        clearInterval(t);
        resolve();
      }
    }, 50);
  });
  await consumer.disconnect();
}

// librdkafka's admin API, through confluent-kafka-python: the admin requests kcat never sends
async function confluentKafkaPython() {
  client = 'confluent-kafka-python';
  const ver = await run('/usr/bin/python3', [
    '-c',
    'import confluent_kafka as c; print(c.version()[0], c.libversion()[0])',
  ]);
  const [pyVersion, libVersion] = ver.out.trim().split(' ');
  clientVersions[client] = `${pyVersion} (librdkafka ${libVersion})`;
  const py = `
from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions, ConfigResource
a = AdminClient({'bootstrap.servers': '127.0.0.1:${port}', 'client.id': '${CLIENT_IDS[client]}'})
for f in a.create_topics([NewTopic('${TOPIC}', 1, 1)]).values(): f.result(10)
for f in a.create_partitions([NewPartitions('${TOPIC}', 2)]).values(): f.result(10)
for f in a.describe_configs([ConfigResource('topic', '${TOPIC}')]).values(): f.result(10)
a.list_groups(timeout=10)
for f in a.delete_topics(['${TOPIC}']).values(): f.result(10)
`;
  const res = await run('/usr/bin/python3', ['-c', py]);
  if (res.code !== 0) console.error(`confluent-kafka-python: ${res.err}`);
}

async function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const server = net.createServer(serve);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  port = server.address().port;
  await kcat();
  await kafkajs();
  await confluentKafkaPython();
  for (const t of pendingTimers) clearTimeout(t);
  server.close();
  const files = readdirSync(OUT).filter((f) => f.endsWith('.bin'));
  console.log(`captured ${files.length} frames into ${OUT}/:\n${files.sort().join('\n')}`);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
