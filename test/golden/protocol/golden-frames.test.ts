// Request frames captured from real clients (scripts/capture-golden.mjs) decode to what the
// capturing scenario sent, and re-encode byte for byte.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeRequest, encodeRequestFrame } from '../../../src/protocol/framing.js';
import {
  apiByKey,
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  type FetchRequest,
  type JoinGroupRequest,
  type ProduceRequest,
  type SyncGroupRequest,
} from '../../../src/protocol/messages/index.js';
import { Reader } from '../../../src/protocol/primitives/index.js';
import { repoRoot } from '../../helpers/schema-arbitraries.js';

interface Fixture {
  client: string;
  apiKey: number;
  apiName: string;
  apiVersion: number;
  clientId: string;
  topics?: string[];
  partitions?: number[];
  compression?: string;
  records?: { key: string; value: string }[];
  groupId?: string;
  key?: string;
  resources?: string[];
}

const dir = join(repoRoot(), 'test/fixtures/golden');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ name: f.slice(0, -5), meta: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture }));

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** The consumer protocol embeds a version-prefixed struct in JoinGroup/SyncGroup bytes. */
function embedded<T>(bytes: Buffer, decode: (r: Reader, v: number) => T): T {
  const r = new Reader(bytes);
  const v = r.int16();
  const out = decode(r, v);
  assert.equal(r.remaining, 0, 'embedded consumer-protocol struct has trailing bytes');
  return out;
}

function checkBody(meta: Fixture, req: Record<string, unknown>): void {
  const names = (list: unknown, key = 'name'): unknown[] => (list as Record<string, unknown>[]).map((t) => t[key]);
  switch (meta.apiName) {
    case 'Produce': {
      const p = req as unknown as ProduceRequest;
      assert.deepStrictEqual(names(p.topicData), meta.topics);
      assert.deepStrictEqual(
        p.topicData[0]!.partitionData.map((d) => d.index),
        meta.partitions,
      );
      const batch = p.topicData[0]!.partitionData[0]!.records!;
      assert.equal(batch.readInt32BE(8) + 12, batch.length, 'one whole batch');
      assert.equal(batch[16], 2, 'magic v2');
      assert.equal(CODECS[batch.readInt16BE(21) & 7], meta.compression);
      assert.equal(batch.readInt32BE(23) + 1, meta.records!.length, 'record count from lastOffsetDelta');
      break;
    }
    case 'Metadata':
    case 'ListOffsets':
    case 'OffsetCommit':
    case 'CreateTopics':
    case 'CreatePartitions':
      assert.deepStrictEqual(names(req.topics), meta.topics);
      break;
    case 'DeleteTopics':
      assert.deepStrictEqual(meta.apiVersion >= 6 ? names(req.topics) : req.topicNames, meta.topics);
      break;
    case 'DescribeConfigs':
      assert.deepStrictEqual(names(req.resources, 'resourceName'), meta.resources);
      break;
    case 'Fetch': {
      const f = req as unknown as FetchRequest;
      assert.deepStrictEqual(names(f.topics, 'topic'), meta.topics);
      assert.equal(f.replicaId, -1, 'a consumer fetch');
      break;
    }
    case 'FindCoordinator':
      assert.equal(req.key, meta.key);
      break;
    case 'JoinGroup': {
      const j = req as unknown as JoinGroupRequest;
      assert.equal(j.groupId, meta.groupId);
      assert.equal(j.protocolType, 'consumer');
      assert.ok(j.protocols.length > 0);
      for (const p of j.protocols) {
        const sub = embedded(p.metadata, decodeConsumerProtocolSubscription);
        assert.deepStrictEqual(sub.topics, ['golden'], `subscription of ${p.name}`);
      }
      break;
    }
    case 'SyncGroup': {
      const s = req as unknown as SyncGroupRequest;
      assert.equal(s.groupId, meta.groupId);
      const a = embedded(s.assignments[0]!.assignment, decodeConsumerProtocolAssignment);
      assert.deepStrictEqual(
        a.assignedPartitions.map((t) => [t.topic, t.partitions]),
        [['golden', [0]]],
      );
      break;
    }
    case 'Heartbeat':
    case 'LeaveGroup':
    case 'OffsetFetch':
      assert.equal(req.groupId, meta.groupId);
      break;
  }
}

describe('golden frames from real clients', () => {
  for (const { name, meta } of fixtures) {
    it(`${name} decodes to what ${meta.client} sent and re-encodes byte for byte`, () => {
      const frame = readFileSync(join(dir, `${name}.bin`));
      assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
      const { header, request } = decodeRequest(frame.subarray(4));
      assert.equal(header.requestApiKey, meta.apiKey);
      assert.equal(header.requestApiVersion, meta.apiVersion);
      assert.equal(apiByKey(meta.apiKey)!.name, meta.apiName);
      assert.equal(header.clientId, meta.clientId);
      checkBody(meta, request as Record<string, unknown>);
      assert.ok(encodeRequestFrame(header, request).equals(frame), 're-encoding differs from the captured frame');
    });
  }

  it('covers the frames the protocol layer promises (every codec, both clients)', () => {
    const have = new Set(fixtures.map((f) => f.name));
    const want = [...CODECS.map((c) => `kcat-produce-v7-${c}`), 'kafkajs-produce-v7-none', 'kafkajs-produce-v7-gzip'];
    for (const client of ['kcat', 'kafkajs']) {
      for (const api of [
        'api-versions',
        'metadata',
        'fetch',
        'join-group',
        'sync-group',
        'offset-commit',
        'offset-fetch',
        'find-coordinator',
        'list-offsets',
      ]) {
        const found = [...have].some((n) => n.startsWith(`${client}-${api}-v`));
        assert.ok(found, `${client} ${api}`);
      }
    }
    for (const w of want) assert.ok(have.has(w), w);
  });
});
