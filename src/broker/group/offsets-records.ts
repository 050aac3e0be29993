/**
 * The records of __consumer_offsets, in Kafka's format so that Kafka's own tools (and Kafka itself
 * reading a copied log dir) understand them.
 *
 * Key:   int16 version, then the body. Versions 0 and 1 are an offset commit key
 *        (group, topic, partition); version 2 is a group metadata key (group). Kafka writes 1 and 2.
 * Value: int16 version, then the body; null is a tombstone (deleted offset / deleted group).
 *        Offset commit value: Kafka writes v1 when the commit carries an explicit expire timestamp
 *        (OffsetCommit v2-v4 retentionTimeMs), v3 otherwise. Group metadata value: v3.
 * Decoding accepts every version Kafka ever wrote (values up to the flexible v4); a record this
 * code cannot understand is reported as 'unknown' so loading skips it instead of failing the
 * whole partition.
 */
import {
  type GroupMetadataValue,
  decodeGroupMetadataValue,
  encodeGroupMetadataValue,
} from '../../protocol/messages/group-metadata-value.js';
import { decodeGroupMetadataKey, encodeGroupMetadataKey } from '../../protocol/messages/group-metadata-key.js';
import { decodeOffsetCommitKey, encodeOffsetCommitKey } from '../../protocol/messages/offset-commit-key.js';
import {
  type OffsetCommitValue,
  decodeOffsetCommitValue,
  encodeOffsetCommitValue,
} from '../../protocol/messages/offset-commit-value.js';
import { Reader, Writer } from '../../protocol/primitives/index.js';

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const GROUP_METADATA_VALUE_VERSION = 3;

/** A committed offset as the coordinator keeps it in memory. */
export interface CommittedOffset {
  offset: number;
  /** -1 when the client did not send one. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Absolute expiry from an old client's retentionTimeMs; null = governed by offsets.retention.minutes. */
  expireTimestamp: number | null;
}

export type OffsetsRecord =
  | { type: 'offset'; group: string; topic: string; partition: number; value: CommittedOffset | null }
  | { type: 'group'; group: string; value: GroupMetadataValue | null }
  | { type: 'unknown'; keyVersion: number };

export function offsetCommitKey(group: string, topic: string, partition: number): Buffer {
  const w = new Writer(64);
  w.int16(OFFSET_COMMIT_KEY_VERSION);
  encodeOffsetCommitKey({ group, topic, partition }, 0, w);
  return w.finish();
}

export function offsetCommitValue(c: CommittedOffset): Buffer {
  const version = c.expireTimestamp !== null ? 1 : 3;
  const w = new Writer(64 + c.metadata.length);
  w.int16(version);
  const v: OffsetCommitValue = {
    offset: BigInt(c.offset),
    leaderEpoch: c.leaderEpoch,
    metadata: c.metadata,
    commitTimestamp: BigInt(c.commitTimestamp),
    expireTimestamp: BigInt(c.expireTimestamp ?? -1),
  };
  encodeOffsetCommitValue(v, version, w);
  return w.finish();
}

export function groupMetadataKey(group: string): Buffer {
  const w = new Writer(32);
  w.int16(GROUP_METADATA_KEY_VERSION);
  encodeGroupMetadataKey({ group }, 0, w);
  return w.finish();
}

export function groupMetadataValue(v: GroupMetadataValue): Buffer {
  const w = new Writer(256);
  w.int16(GROUP_METADATA_VALUE_VERSION);
  encodeGroupMetadataValue(v, GROUP_METADATA_VALUE_VERSION, w);
  return w.finish();
}

/** Parses one record of the topic. Throws DecodeError on a damaged key or value. */
export function parseOffsetsRecord(key: Buffer | null, value: Buffer | null): OffsetsRecord {
  if (key === null || key.length < 2) return { type: 'unknown', keyVersion: -1 };
  const kr = new Reader(key);
  const keyVersion = kr.int16();
  if (keyVersion === 0 || keyVersion === 1) {
    const k = decodeOffsetCommitKey(kr, 0);
    if (value === null) return { type: 'offset', group: k.group, topic: k.topic, partition: k.partition, value: null };
    const vr = new Reader(value);
    const vv = vr.int16();
    // Newer values than we know keep their known prefix (Kafka's schemas only append fields).
    const c = decodeOffsetCommitValue(vr, Math.min(vv, 4));
    return {
      type: 'offset',
      group: k.group,
      topic: k.topic,
      partition: k.partition,
      value: {
        offset: Number(c.offset),
        leaderEpoch: c.leaderEpoch,
        metadata: c.metadata ?? '',
        commitTimestamp: Number(c.commitTimestamp),
        expireTimestamp: vv === 1 && c.expireTimestamp >= 0n ? Number(c.expireTimestamp) : null,
      },
    };
  }
  if (keyVersion === 2) {
    const k = decodeGroupMetadataKey(kr, 0);
    if (value === null) return { type: 'group', group: k.group, value: null };
    const vr = new Reader(value);
    const vv = vr.int16();
    return { type: 'group', group: k.group, value: decodeGroupMetadataValue(vr, Math.min(vv, 4)) };
  }
  return { type: 'unknown', keyVersion };
}
