import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  groupMetadataKey,
  groupMetadataValue,
  offsetCommitKey,
  offsetCommitValue,
  parseOffsetsRecord,
} from '../../../../src/broker/group/offsets-records.js';
import { javaStringHashCode, partitionForGroup } from '../../../../src/broker/group/partitioner.js';

describe('__consumer_offsets partitioning', () => {
  it('matches Java String.hashCode, including wrap-around and non-ASCII', () => {
    assert.equal(javaStringHashCode(''), 0);
    assert.equal(javaStringHashCode('hello'), 99162322);
    assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
    assert.equal(javaStringHashCode('é€'), 233 * 31 + 8364);
  });

  it('uses Kafka Utils.abs (h & 0x7fffffff): Integer.MIN_VALUE maps to partition 0', () => {
    assert.equal(partitionForGroup('polygenelubricants', 50), 0);
    assert.equal(partitionForGroup('hello', 50), 99162322 % 50);
    // A negative hash: Math.abs would give a different partition than Kafka.
    const h = javaStringHashCode('my-group');
    assert.ok(h < 0);
    assert.equal(partitionForGroup('my-group', 50), (h & 0x7fffffff) % 50);
  });
});

describe('__consumer_offsets record format', () => {
  it('offset commit key is version 1 + (group, topic, partition); value v3 without expiry, v1 with', () => {
    const key = offsetCommitKey('g', 't', 3);
    assert.deepEqual([...key], [0, 1, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 3]);
    const v3 = offsetCommitValue({
      offset: 10,
      leaderEpoch: 2,
      metadata: 'm',
      commitTimestamp: 1000,
      expireTimestamp: null,
    });
    assert.equal(v3.readInt16BE(0), 3);
    // int16 version, int64 offset, int32 epoch, string metadata, int64 commit timestamp
    assert.equal(v3.length, 2 + 8 + 4 + 2 + 1 + 8);
    const v1 = offsetCommitValue({
      offset: 10,
      leaderEpoch: -1,
      metadata: '',
      commitTimestamp: 1000,
      expireTimestamp: 5000,
    });
    assert.equal(v1.readInt16BE(0), 1);
    assert.deepEqual(parseOffsetsRecord(key, v3), {
      type: 'offset',
      group: 'g',
      topic: 't',
      partition: 3,
      value: { offset: 10, leaderEpoch: 2, metadata: 'm', commitTimestamp: 1000, expireTimestamp: null },
    });
    assert.deepEqual((parseOffsetsRecord(key, v1) as { value: unknown }).value, {
      offset: 10,
      leaderEpoch: -1,
      metadata: '',
      commitTimestamp: 1000,
      expireTimestamp: 5000,
    });
    assert.deepEqual(parseOffsetsRecord(key, null), {
      type: 'offset',
      group: 'g',
      topic: 't',
      partition: 3,
      value: null,
    });
  });

  it('group metadata key is version 2 + group; value v3 round-trips members', () => {
    const key = groupMetadataKey('grp');
    assert.equal(key.readInt16BE(0), 2);
    const value = groupMetadataValue({
      protocolType: 'consumer',
      generation: 4,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 123n,
      members: [
        {
          memberId: 'm1',
          groupInstanceId: 'i1',
          clientId: 'c',
          clientHost: '/1.2.3.4',
          rebalanceTimeout: 300,
          sessionTimeout: 100,
          subscription: Buffer.from([1, 2]),
          assignment: Buffer.from([3]),
        },
      ],
    });
    assert.equal(value.readInt16BE(0), 3);
    const parsed = parseOffsetsRecord(key, value);
    assert.equal(parsed.type, 'group');
    if (parsed.type === 'group') {
      assert.equal(parsed.value!.generation, 4);
      assert.equal(parsed.value!.members[0]!.groupInstanceId, 'i1');
      assert.deepEqual([...parsed.value!.members[0]!.assignment], [3]);
    }
  });

  it('unknown key versions are reported, not thrown; damaged values throw a DecodeError', () => {
    assert.deepEqual(parseOffsetsRecord(Buffer.from([0, 9, 1]), null), { type: 'unknown', keyVersion: 9 });
    assert.deepEqual(parseOffsetsRecord(null, null), { type: 'unknown', keyVersion: -1 });
    assert.throws(() => parseOffsetsRecord(offsetCommitKey('g', 't', 0), Buffer.from([0, 3, 0])), /truncated/);
  });
});
