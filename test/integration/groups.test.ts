// The group coordinator through the wire protocol, against in-process brokers (and a spawned one
// for SIGKILL): API registration, FindCoordinator, bad input, persistence across restarts,
// compaction of __consumer_offsets and offset expiry.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Broker, startBroker } from '../../src/broker/index.js';
import { GROUP_METADATA_TOPIC, partitionForGroup } from '../../src/broker/group/partitioner.js';
import { parseOffsetsRecord } from '../../src/broker/group/offsets-records.js';
import { ManualClock } from '../../src/common/clock.js';
import { ApiKeys } from '../../src/protocol/messages/index.js';
import { decodeRecordBatches } from '../../src/protocol/records/index.js';
import {
  RawClient,
  SpawnedBroker,
  commit,
  createTopic,
  fetchCommitted,
  findCoordinator,
  joinAndSync,
  joinFull,
  joinGroup,
} from './groups-support.js';

const FAST = { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 100 };

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'vltava-groups-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('group coordinator over the wire', () => {
  let broker: Broker;
  let c: RawClient;
  before(async () => {
    broker = await startBroker({ port: 0, storage: 'memory', config: { ...FAST, 'offset.metadata.max.bytes': 100 } });
    c = await RawClient.connect(broker.bootstrapServers);
    await createTopic(c, 't', 2);
  });
  after(async () => {
    c.close();
    await broker.close();
  });

  it('ApiVersions advertises the group APIs with the versions served', async () => {
    const r = await c.request(ApiKeys.ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
    const ranges = new Map(r.apiKeys.map((k: { apiKey: number; maxVersion: number }) => [k.apiKey, k.maxVersion]));
    for (const [key, max] of [
      [8, 9],
      [9, 9],
      [10, 6],
      [11, 9],
      [12, 4],
      [13, 5],
      [14, 5],
      [15, 5],
      [16, 5],
      [42, 2],
      [47, 0],
    ]) {
      assert.equal(ranges.get(key), max, `api key ${key}`);
    }
  });

  it('FindCoordinator creates __consumer_offsets (50 compacted partitions) and names this broker', async () => {
    const r = await findCoordinator(c, 'my-group');
    assert.equal(r.errorCode, 0);
    assert.equal(r.nodeId, broker.nodeId);
    assert.equal(`${r.host}:${r.port}`, broker.bootstrapServers);
    const topic = broker.context.metadata.topic(GROUP_METADATA_TOPIC)!;
    assert.equal(topic.partitions.length, 50);
    assert.equal(topic.configs.get('cleanup.policy'), 'compact');
    const md = await c.request(ApiKeys.Metadata, 9, {
      topics: [{ topicId: Buffer.alloc(16), name: GROUP_METADATA_TOPIC }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.equal(md.topics[0].isInternal, true);
  });

  it('FindCoordinator v4 batches keys; transaction keys are COORDINATOR_NOT_AVAILABLE; unknown key types INVALID_REQUEST', async () => {
    const r = await c.request(ApiKeys.FindCoordinator, 4, { key: '', keyType: 0, coordinatorKeys: ['a', 'b'] });
    assert.deepEqual(
      r.coordinators.map((x: { key: string; errorCode: number; nodeId: number }) => [x.key, x.errorCode, x.nodeId]),
      [
        ['a', 0, broker.nodeId],
        ['b', 0, broker.nodeId],
      ],
    );
    const txn = await c.request(ApiKeys.FindCoordinator, 4, { key: '', keyType: 1, coordinatorKeys: ['tx'] });
    assert.equal(txn.coordinators[0].errorCode, 15);
    const v1 = await c.request(ApiKeys.FindCoordinator, 1, { key: 'tx', keyType: 1, coordinatorKeys: [] });
    assert.equal(v1.errorCode, 15);
    const bad = await c.request(ApiKeys.FindCoordinator, 2, { key: 'x', keyType: 7, coordinatorKeys: [] });
    assert.equal(bad.errorCode, 42);
  });

  it('JoinGroup v3 joins at once; v4 answers MEMBER_ID_REQUIRED first', async () => {
    const v3 = await joinGroup(c, { groupId: 'jv3', sessionTimeoutMs: 1000 }, 3);
    assert.equal(v3.errorCode, 0);
    assert.equal(v3.generationId, 1);
    const v4 = await joinGroup(c, { groupId: 'jv4', sessionTimeoutMs: 1000 }, 4);
    assert.equal(v4.errorCode, 79);
    assert.match(v4.memberId, /^raw-test-/);
    const again = await joinGroup(c, { groupId: 'jv4', sessionTimeoutMs: 1000, memberId: v4.memberId }, 4);
    assert.equal(again.errorCode, 0);
    assert.equal(again.leader, v4.memberId);
  });

  it('bad commits get Kafka error codes: unknown topic/partition, stale generation, unknown member, metadata too large', async () => {
    const m = await joinAndSync(c, { groupId: 'bad', sessionTimeoutMs: 5000 });
    const codes = async (p: Promise<{ topics: Array<{ partitions: Array<{ errorCode: number }> }> }>) =>
      (await p).topics.flatMap((t) => t.partitions.map((x) => x.errorCode));
    assert.deepEqual(
      await codes(
        commit(c, 'bad', m.generationId, m.memberId, [
          ['nope', 0, 1],
          ['t', 7, 1],
          ['t', 0, 1],
        ]),
      ),
      [3, 3, 0],
    );
    assert.deepEqual(await codes(commit(c, 'bad', m.generationId + 1, m.memberId, [['t', 0, 2]])), [22]);
    assert.deepEqual(await codes(commit(c, 'bad', m.generationId, 'ghost', [['t', 0, 2]])), [25]);
    assert.deepEqual(
      await codes(commit(c, 'bad', -1, '', [['t', 0, 2]])),
      [25],
      'a group with members refuses anonymous commits',
    );
    assert.deepEqual(
      await codes(
        commit(c, 'bad', m.generationId, m.memberId, [
          ['t', 0, 3, 'x'.repeat(101)],
          ['t', 1, 3, 'ok'],
        ]),
      ),
      [12, 0],
    );
    assert.deepEqual(await fetchCommitted(c, 'bad'), [
      ['t', 0, 1],
      ['t', 1, 3],
    ]);
    assert.deepEqual(
      await codes(commit(c, 'simple', -1, '', [['t', 0, 9]], 2)),
      [0],
      'v2 commit of a group with no members',
    );
  });

  it('garbage and oversized protocol metadata: the group still forms (or the sync fails cleanly) and the coordinator keeps serving', async () => {
    const garbage = await joinFull(c, {
      groupId: 'garbage',
      protocols: [{ name: 'range', metadata: Buffer.from([0xff, 0xfe, 0, 0, 0, 9, 1]) }],
    });
    assert.equal(garbage.errorCode, 0);
    const d = await c.request(ApiKeys.DescribeGroups, 5, { groups: ['garbage'], includeAuthorizedOperations: true });
    assert.equal(d.groups[0].errorCode, 0);
    assert.equal(d.groups[0].groupState, 'CompletingRebalance');
    assert.equal(d.groups[0].authorizedOperations, (1 << 3) | (1 << 6) | (1 << 8));
    assert.equal(broker.context.groups.describeLag('garbage')!.members.length, 1);

    // 1.1 MB of subscription cannot fit one record of __consumer_offsets (message.max.bytes):
    // the assignment cannot be stored, the leader hears so, and the group must rebalance.
    const huge = await joinFull(c, {
      groupId: 'huge',
      protocols: [{ name: 'range', metadata: Buffer.alloc(1_100_000, 1) }],
    });
    assert.equal(huge.errorCode, 0);
    const s = await c.request(ApiKeys.SyncGroup, 5, {
      groupId: 'huge',
      generationId: huge.generationId,
      memberId: huge.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [],
    });
    assert.equal(s.errorCode, -1);
    const wrongType = await joinGroup(c, { groupId: 'garbage', protocolType: 'connect' });
    assert.equal(wrongType.errorCode, 23);
    const ok = await joinAndSync(c, { groupId: 'after-bad-input' });
    assert.equal(ok.generationId, 1);
  });

  it('ListGroups (states filter v4+), DescribeGroups of an unknown group, DeleteGroups, OffsetDelete', async () => {
    await commit(c, 'to-delete', -1, '', [
      ['t', 0, 5],
      ['t', 1, 6],
    ]);
    const all = await c.request(ApiKeys.ListGroups, 5, { statesFilter: [], typesFilter: [] });
    assert.ok(
      all.groups.some(
        (g: { groupId: string; groupState: string; groupType: string }) =>
          g.groupId === 'to-delete' && g.groupState === 'Empty' && g.groupType === 'classic',
      ),
    );
    const stable = await c.request(ApiKeys.ListGroups, 4, { statesFilter: ['Stable'], typesFilter: [] });
    assert.ok(stable.groups.every((g: { groupState: string }) => g.groupState === 'Stable'));
    const unknown = await c.request(ApiKeys.DescribeGroups, 0, {
      groups: ['never'],
      includeAuthorizedOperations: false,
    });
    assert.deepEqual([unknown.groups[0].errorCode, unknown.groups[0].groupState], [0, 'Dead']);
    const od = await c.request(ApiKeys.OffsetDelete, 0, {
      groupId: 'to-delete',
      topics: [{ name: 't', partitions: [{ partitionIndex: 1 }] }],
    });
    assert.equal(od.topics[0].partitions[0].errorCode, 0);
    assert.deepEqual(await fetchCommitted(c, 'to-delete'), [['t', 0, 5]]);
    const del = await c.request(ApiKeys.DeleteGroups, 2, { groupsNames: ['to-delete', 'never', 'after-bad-input'] });
    assert.deepEqual(
      del.results.map((r: { errorCode: number }) => r.errorCode),
      [0, 69, 68],
    );
    assert.deepEqual(await fetchCommitted(c, 'to-delete'), []);
  });

  it('OffsetFetch v0-1 carry group errors per partition; v8 answers several groups', async () => {
    const v1 = await c.request(ApiKeys.OffsetFetch, 1, {
      groupId: '',
      topics: [{ name: 't', partitionIndexes: [0] }],
      groups: [],
      requireStable: false,
    });
    assert.equal(v1.topics[0].partitions[0].errorCode, 0);
    await commit(c, 'multi-a', -1, '', [['t', 0, 11]]);
    const v8 = await c.request(ApiKeys.OffsetFetch, 8, {
      groupId: '',
      topics: [],
      requireStable: true,
      groups: [
        { groupId: 'multi-a', memberId: null, memberEpoch: -1, topics: [{ name: 't', partitionIndexes: [0] }] },
        { groupId: 'multi-b', memberId: null, memberEpoch: -1, topics: null },
      ],
    });
    assert.equal(v8.groups[0].topics[0].partitions[0].committedOffset, 11n);
    assert.deepEqual(v8.groups[1].topics, []);
  });
});

describe('group state and offsets survive broker restarts', () => {
  it('a clean restart keeps offsets, the group generation and its members (no rebalance needed)', async () => {
    await withTempDir(async (dir) => {
      const config = { ...FAST, 'log.dirs': dir };
      let broker = await startBroker({ port: 0, config });
      let c = await RawClient.connect(broker.bootstrapServers);
      await createTopic(c, 't', 2);
      await findCoordinator(c, 'persist');
      const m = await joinAndSync(c, { groupId: 'persist', sessionTimeoutMs: 30_000, assign: { t: [0, 1] } });
      await commit(c, 'persist', m.generationId, m.memberId, [
        ['t', 0, 3],
        ['t', 1, 4],
      ]);
      await commit(c, 'persist', m.generationId, m.memberId, [['t', 0, 5]]);
      c.close();
      await broker.close();

      broker = await startBroker({ port: 0, config });
      // __consumer_offsets exists, so the coordinator loaded it before the listeners opened.
      assert.ok(broker.context.groups.listGroups().some((g) => g.groupId === 'persist'));
      c = await RawClient.connect(broker.bootstrapServers);
      try {
        assert.deepEqual(await fetchCommitted(c, 'persist'), [
          ['t', 0, 5],
          ['t', 1, 4],
        ]);
        const d = await c.request(ApiKeys.DescribeGroups, 5, {
          groups: ['persist'],
          includeAuthorizedOperations: false,
        });
        assert.equal(d.groups[0].groupState, 'Stable');
        assert.equal(d.groups[0].members[0].memberId, m.memberId);
        const hb = await c.request(ApiKeys.Heartbeat, 4, {
          groupId: 'persist',
          generationId: m.generationId,
          memberId: m.memberId,
          groupInstanceId: null,
        });
        assert.equal(hb.errorCode, 0, 'the member carries on in its generation');
        assert.deepEqual(
          broker.context.groups.describeLag('persist')!.members[0]!.partitions.map((p) => p.committedOffset),
          [5, 4],
        );
      } finally {
        c.close();
        await broker.close();
      }
    });
  });

  it('SIGKILL of a spawned broker loses no acknowledged commit or group record', async () => {
    await withTempDir(async (dir) => {
      let b = await SpawnedBroker.start(dir);
      let c = await RawClient.connect(b.bootstrap);
      try {
        await createTopic(c, 't', 2);
        await findCoordinator(c, 'crash');
        const m = await joinAndSync(c, { groupId: 'crash', sessionTimeoutMs: 30_000 });
        for (let i = 1; i <= 20; i++)
          await commit(c, 'crash', m.generationId, m.memberId, [
            ['t', 0, i],
            ['t', 1, i * 2],
          ]);
        c.close();
        await b.kill('SIGKILL');

        b = await SpawnedBroker.start(dir);
        c = await RawClient.connect(b.bootstrap);
        assert.deepEqual(await fetchCommitted(c, 'crash'), [
          ['t', 0, 20],
          ['t', 1, 40],
        ]);
        const d = await c.request(ApiKeys.DescribeGroups, 5, { groups: ['crash'], includeAuthorizedOperations: false });
        assert.equal(d.groups[0].groupState, 'Stable');
        assert.equal(d.groups[0].members[0].memberId, m.memberId);
      } finally {
        c.close();
        await b.kill('SIGKILL');
      }
    });
  });

  it('compaction of __consumer_offsets keeps the latest commit per key, and a reload reads the compacted log', async () => {
    await withTempDir(async (dir) => {
      // Kafka's smallest topic segment is 1 MiB; 30 KB of metadata per commit fills one in ~35 commits.
      const config = {
        ...FAST,
        'log.dirs': dir,
        'offset.metadata.max.bytes': 50_000,
        'offsets.topic.segment.bytes': 1_048_576,
        'log.cleaner.backoff.ms': 20,
      };
      let broker = await startBroker({ port: 0, config });
      let c = await RawClient.connect(broker.bootstrapServers);
      try {
        await createTopic(c, 't', 2);
        await findCoordinator(c, 'compact');
        const meta = 'm'.repeat(30_000);
        for (let i = 1; i <= 160; i++) await commit(c, 'compact', -1, '', [['t', i % 2, i, meta]]);
        const partition = broker.context.replicas.getPartition(GROUP_METADATA_TOPIC, partitionForGroup('compact', 50))!;
        const countKeys = async () => {
          const perKey = new Map<string, number[]>();
          // Reads may stop at a segment boundary: read on until the high watermark.
          for (let next = partition.logStartOffset; next < partition.highWatermark; ) {
            const data = await partition.log.read(next, { maxBytes: 64 << 20, maxOffset: partition.highWatermark });
            if (data.records.length === 0) break;
            for (const b of decodeRecordBatches(data.records)) {
              next = b.baseOffset + b.lastOffsetDelta + 1;
              for (const r of b.records) {
                const rec = parseOffsetsRecord(r.key, r.value);
                if (rec.type !== 'offset' || rec.value === null) continue;
                const k = `${rec.topic}-${rec.partition}`;
                perKey.set(k, [...(perKey.get(k) ?? []), rec.value.offset]);
              }
            }
          }
          return perKey;
        };
        // The cleaner runs every log.cleaner.backoff.ms (maybe already during the commits); wait for it.
        const deadline = Date.now() + 20_000;
        let perKey = await countKeys();
        while (perKey.get('t-0')!.length === 80 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          perKey = await countKeys();
        }
        const kept = perKey.get('t-0')!;
        assert.ok(kept.length < 80, `compaction removed superseded commits (${kept.length} left)`);
        assert.equal(kept.at(-1), 160);
        assert.deepEqual(
          [...kept].sort((a, b) => a - b),
          kept,
          'what is left is in commit order',
        );
      } finally {
        c.close();
        await broker.close();
      }

      broker = await startBroker({ port: 0, config });
      c = await RawClient.connect(broker.bootstrapServers);
      try {
        assert.deepEqual(await fetchCommitted(c, 'compact'), [
          ['t', 0, 160],
          ['t', 1, 159],
        ]);
      } finally {
        c.close();
        await broker.close();
      }
    });
  });

  it('expired offsets and deleted groups stay gone after a restart (tombstones)', async () => {
    await withTempDir(async (dir) => {
      const clock = new ManualClock(Date.now());
      const config = { ...FAST, 'log.dirs': dir, 'offsets.retention.minutes': 1 };
      let broker = await startBroker({ port: 0, config, clock });
      let c = await RawClient.connect(broker.bootstrapServers);
      await createTopic(c, 't', 1);
      await findCoordinator(c, 'old');
      await commit(c, 'old', -1, '', [['t', 0, 1]]);
      await commit(c, 'deleted', -1, '', [['t', 0, 2]]);
      clock.advance(30_000);
      await commit(c, 'recent', -1, '', [['t', 0, 3]]);
      const del = await c.request(ApiKeys.DeleteGroups, 2, { groupsNames: ['deleted'] });
      assert.equal(del.results[0].errorCode, 0);
      clock.advance(31_000);
      assert.equal(await broker.context.groups.expireOffsets(), 1);
      c.close();
      await broker.close();

      broker = await startBroker({ port: 0, config, clock });
      c = await RawClient.connect(broker.bootstrapServers);
      try {
        assert.deepEqual(await fetchCommitted(c, 'old'), []);
        assert.deepEqual(await fetchCommitted(c, 'deleted'), []);
        assert.deepEqual(await fetchCommitted(c, 'recent'), [['t', 0, 3]]);
        assert.deepEqual(
          broker.context.groups.listGroups().map((g) => g.groupId),
          ['recent'],
        );
      } finally {
        c.close();
        await broker.close();
      }
    });
  });
});
