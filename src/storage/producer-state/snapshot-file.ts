/**
 * Producer-state snapshot files: `<offset>.snapshot` (20-digit zero-padded, like segments) in the
 * partition directory, holding the state of every producer as of that log offset — Kafka's layout,
 * so Kafka's tools can read ours:
 *
 *   version: int16 (= 1)
 *   crc: uint32                CRC32C of everything after this field
 *   entries: int32 count, then per producer:
 *     producerId int64, producerEpoch int16, lastSequence int32, lastOffset int64,
 *     offsetDelta int32, timestamp int64, coordinatorEpoch int32, currentTxnFirstOffset int64
 *
 * Only the last batch of each producer is kept (as in Kafka): after a restart, a retry of one of
 * the four batches before it is answered OUT_OF_ORDER_SEQUENCE_NUMBER rather than deduplicated.
 * Written atomically (temp file, fsync, rename); a snapshot that fails its CRC is ignored and the
 * state is rebuilt from the log instead.
 */
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '../../protocol/records/crc32c.js';
import { filenamePrefixFromOffset } from '../segment/file-names.js';
import { NO_SEQUENCE, type ProducerStateEntry, decrementSequence } from './producer-state-manager.js';

export const SNAPSHOT_FILE_SUFFIX = '.snapshot';
const VERSION = 1;
const HEADER_BYTES = 2 + 4;
const ENTRY_BYTES = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

export const snapshotPath = (dir: string, offset: number): string => join(dir, filenamePrefixFromOffset(offset) + SNAPSHOT_FILE_SUFFIX);

export function encodeSnapshot(entries: Iterable<ProducerStateEntry>): Buffer {
  const list = [...entries];
  const buf = Buffer.alloc(HEADER_BYTES + 4 + list.length * ENTRY_BYTES);
  buf.writeInt16BE(VERSION, 0);
  let at = HEADER_BYTES;
  buf.writeInt32BE(list.length, at);
  at += 4;
  for (const e of list) {
    const last = e.batches.at(-1);
    buf.writeBigInt64BE(BigInt(e.producerId), at);
    buf.writeInt16BE(e.producerEpoch, at + 8);
    buf.writeInt32BE(last?.lastSeq ?? NO_SEQUENCE, at + 10);
    buf.writeBigInt64BE(BigInt(last?.lastOffset ?? -1), at + 14);
    buf.writeInt32BE(last ? last.lastOffset - last.firstOffset : 0, at + 22);
    buf.writeBigInt64BE(BigInt(last?.timestamp ?? e.lastTimestamp), at + 26);
    buf.writeInt32BE(e.coordinatorEpoch, at + 34);
    buf.writeBigInt64BE(-1n, at + 38); // no transactions: no open transaction to remember
    at += ENTRY_BYTES;
  }
  buf.writeUInt32BE(crc32c(buf.subarray(HEADER_BYTES)), 2);
  return buf;
}

/** Decodes a snapshot; null when it is malformed or fails its CRC. */
export function decodeSnapshot(buf: Buffer): ProducerStateEntry[] | null {
  if (buf.length < HEADER_BYTES + 4 || buf.readInt16BE(0) !== VERSION) return null;
  if (buf.readUInt32BE(2) !== crc32c(buf.subarray(HEADER_BYTES))) return null;
  const count = buf.readInt32BE(HEADER_BYTES);
  if (count < 0 || buf.length !== HEADER_BYTES + 4 + count * ENTRY_BYTES) return null;
  const out: ProducerStateEntry[] = [];
  let at = HEADER_BYTES + 4;
  for (let i = 0; i < count; i++, at += ENTRY_BYTES) {
    const lastSeq = buf.readInt32BE(at + 10);
    const lastOffset = Number(buf.readBigInt64BE(at + 14));
    const offsetDelta = buf.readInt32BE(at + 22);
    const timestamp = Number(buf.readBigInt64BE(at + 26));
    out.push({
      producerId: Number(buf.readBigInt64BE(at)),
      producerEpoch: buf.readInt16BE(at + 8),
      batches:
        lastOffset >= 0 && lastSeq >= 0
          ? [{ firstSeq: decrementSequence(lastSeq, offsetDelta), lastSeq, firstOffset: lastOffset - offsetDelta, lastOffset, timestamp }]
          : [],
      lastTimestamp: timestamp,
      coordinatorEpoch: buf.readInt32BE(at + 34),
    });
  }
  return out;
}

/** Offsets of the snapshot files in `dir`, ascending. */
export async function listSnapshots(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((n) => /^(\d{20})\.snapshot$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

export async function readSnapshot(dir: string, offset: number): Promise<ProducerStateEntry[] | null> {
  try {
    return decodeSnapshot(await readFile(snapshotPath(dir, offset)));
  } catch {
    return null;
  }
}

export async function writeSnapshot(dir: string, offset: number, entries: Iterable<ProducerStateEntry>): Promise<void> {
  const path = snapshotPath(dir, offset);
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(encodeSnapshot(entries));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/** Removes snapshots whose offset is outside [from, to] (bounds inclusive). */
export async function deleteSnapshotsOutside(dir: string, from: number, to: number): Promise<void> {
  for (const o of await listSnapshots(dir)) {
    if (o < from || o > to) await rm(snapshotPath(dir, o), { force: true });
  }
}
