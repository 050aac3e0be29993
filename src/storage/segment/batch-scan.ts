/**
 * Header-level scanning of RecordBatch v2 bytes in a segment file: framing and CRC checks,
 * and iteration over batch headers without decoding records. Recovery, index rebuilds, offset
 * lookups and dump-log all walk a .log this way.
 *
 * A batch is valid when: its 12-byte log overhead and 61-byte header fit before `end`, its
 * batchLength is at least the header size, the whole batch fits before `end`, magic is 2,
 * lastOffsetDelta >= 0, and (when asked) the CRC32C of attributes..end matches.
 */
import type { FileHandle } from 'node:fs/promises';
import {
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  CRC_START,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  RECORD_BATCH_OVERHEAD,
  TIMESTAMP_TYPE_MASK,
  batchAttributes,
  batchBaseOffset,
  batchLastOffsetDelta,
  batchMaxTimestamp,
  batchPartitionLeaderEpoch,
  batchRecordCount,
  BASE_SEQUENCE_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
} from '../../protocol/records/batch-header.js';
import { crc32c } from '../../protocol/records/crc32c.js';

export interface BatchInfo {
  /** Byte position of the batch in the file (or buffer). */
  position: number;
  /** Total size including the 12-byte log overhead. */
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  partitionLeaderEpoch: number;
  recordCount: number;
  attributes: number;
  /** -1 when the batch has no producer. A number: ids are allocated from 0 and stay below 2^53. */
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

export interface BatchProblem {
  position: number;
  reason: string;
}

/** Returns the problem with the batch at `pos` in `buf` (bytes up to `end`), or null if it is valid. */
export function checkBatch(buf: Buffer, pos: number, end: number, verifyCrc: boolean, logicalAvail = end - pos): string | null {
  // `logicalAvail` is how many bytes the stream holds from `pos` (it may exceed what `buf` holds
  // when only the header was read); the CRC needs the whole batch in `buf`.
  const avail = logicalAvail;
  if (avail < LOG_OVERHEAD) return `truncated log overhead (${avail} bytes)`;
  const length = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
  if (length < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) return `batch length ${length} smaller than the header`;
  if (avail < RECORD_BATCH_OVERHEAD) return `truncated header (${avail} bytes)`;
  if (buf.readInt8(pos + MAGIC_OFFSET) !== 2) return `magic ${buf.readInt8(pos + MAGIC_OFFSET)} is not 2`;
  if (batchLastOffsetDelta(buf, pos) < 0) return 'negative lastOffsetDelta';
  const size = LOG_OVERHEAD + length;
  if (size > avail) return `truncated batch (${avail} of ${size} bytes)`;
  if (verifyCrc) {
    if (end - pos < size) return `batch not fully read (${end - pos} of ${size} bytes)`;
    const stored = buf.readUInt32BE(pos + CRC_OFFSET);
    const actual = crc32c(buf.subarray(pos + CRC_START, pos + size));
    if (stored !== actual) return `CRC mismatch (stored ${stored}, computed ${actual})`;
  }
  return null;
}

export function batchInfoAt(buf: Buffer, pos: number, position: number): BatchInfo {
  const baseOffset = batchBaseOffset(buf, pos);
  return {
    position,
    size: LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH_OFFSET),
    baseOffset,
    lastOffset: baseOffset + batchLastOffsetDelta(buf, pos),
    maxTimestamp: batchMaxTimestamp(buf, pos),
    partitionLeaderEpoch: batchPartitionLeaderEpoch(buf, pos),
    recordCount: batchRecordCount(buf, pos),
    attributes: batchAttributes(buf, pos),
    producerId: buf.readInt32BE(pos + PRODUCER_ID_OFFSET) * 4294967296 + buf.readUInt32BE(pos + PRODUCER_ID_OFFSET + 4),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE_OFFSET),
  };
}

/**
 * Walks the batches of an in-memory buffer (e.g. a produce request's records). Returns the batches
 * or the first problem; never throws on malformed input.
 */
export function scanBuffer(buf: Buffer, verifyCrc: boolean): { batches: BatchInfo[]; problem: BatchProblem | null } {
  const batches: BatchInfo[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const reason = checkBatch(buf, pos, buf.length, verifyCrc);
    if (reason !== null) return { batches, problem: { position: pos, reason } };
    const info = batchInfoAt(buf, pos, pos);
    batches.push(info);
    pos += info.size;
  }
  return { batches, problem: null };
}

/**
 * Sets maxTimestamp and the LogAppendTime attribute bit, then recomputes the CRC: both fields lie
 * inside the CRC'd range (attributes..end), unlike baseOffset and partitionLeaderEpoch.
 */
export function setLogAppendTime(buf: Buffer, pos: number, size: number, timestampMs: number): void {
  const attrs = buf.readInt16BE(pos + ATTRIBUTES_OFFSET) | TIMESTAMP_TYPE_MASK;
  buf.writeInt16BE(attrs, pos + ATTRIBUTES_OFFSET);
  buf.writeBigInt64BE(BigInt(timestampMs), pos + MAX_TIMESTAMP_OFFSET);
  buf.writeUInt32BE(crc32c(buf.subarray(pos + CRC_START, pos + size)), pos + CRC_OFFSET);
}

/**
 * Iterates batches of a file between `from` and `to`, reading in chunks. Yields BatchInfo for each
 * valid batch and, at the first invalid one, a BatchProblem, after which iteration stops.
 * With `verifyCrc` false only headers are read, so a scan skips over large batches cheaply.
 * `withBytes` attaches each batch's bytes (implies whole-batch reads).
 */
export async function* scanFile(
  fh: FileHandle,
  from: number,
  to: number,
  opts: { verifyCrc: boolean; chunkBytes?: number; withBytes?: boolean },
): AsyncGenerator<(BatchInfo & { bytes?: Buffer }) | BatchProblem> {
  const chunkBytes = opts.chunkBytes ?? 1 << 20;
  const needWhole = opts.verifyCrc || opts.withBytes === true;
  let buf = Buffer.alloc(0);
  let bufStart = from;
  let bufEnd = from;
  const fill = async (at: number, want: number): Promise<void> => {
    const len = Math.min(Math.max(want, chunkBytes), to - at);
    if (buf.length < len) buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await fh.read(buf, got, len - got, at + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    bufStart = at;
    bufEnd = at + got;
  };
  let pos = from;
  while (pos < to) {
    const avail = to - pos;
    const headerWant = Math.min(RECORD_BATCH_OVERHEAD, avail);
    if (pos + headerWant > bufEnd) await fill(pos, headerWant);
    let rel = pos - bufStart;
    const held = bufEnd - pos;
    if (held < headerWant) {
      yield { position: pos, reason: `file shorter than expected (${held} of ${avail} bytes readable)` };
      return;
    }
    if (avail >= RECORD_BATCH_OVERHEAD && needWhole) {
      const size = LOG_OVERHEAD + buf.readInt32BE(rel + BATCH_LENGTH_OFFSET);
      if (size >= RECORD_BATCH_OVERHEAD && size <= avail && pos + size > bufEnd) {
        await fill(pos, size);
        rel = 0;
      }
    }
    const reason = checkBatch(buf, rel, rel + Math.min(bufEnd - pos, avail), opts.verifyCrc, avail);
    if (reason !== null) {
      yield { position: pos, reason };
      return;
    }
    const info: BatchInfo & { bytes?: Buffer } = batchInfoAt(buf, rel, pos);
    if (opts.withBytes) info.bytes = Buffer.from(buf.subarray(rel, rel + info.size));
    yield info;
    pos += info.size;
  }
}
