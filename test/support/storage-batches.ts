/**
 * Test helpers for storage: RecordBatch v2 batches built with the real encoder, and temp log dirs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeRecordBatches } from '../../src/protocol/records/decode.js';
import { encodeRecordBatch } from '../../src/protocol/records/encode.js';

export interface TestRecord {
  key?: string | null;
  value?: string | null;
  timestamp?: number;
}

/** One batch of `records` (offsets 0..n-1 relative; the log assigns the base). */
export function makeBatch(
  records: TestRecord[],
  opts: { baseOffset?: number; timestamp?: number; partitionLeaderEpoch?: number } = {},
): Buffer {
  return encodeRecordBatch({
    baseOffset: opts.baseOffset ?? 0,
    partitionLeaderEpoch: opts.partitionLeaderEpoch,
    records: records.map((r, i) => ({
      key: r.key === undefined || r.key === null ? null : Buffer.from(r.key),
      value:
        r.value === undefined || r.value === null
          ? r.value === null
            ? null
            : Buffer.from(`v${i}`)
          : Buffer.from(r.value),
      timestamp: r.timestamp ?? opts.timestamp ?? 1_700_000_000_000,
    })),
  });
}

/** A batch of `count` records with values of `valueBytes` bytes each. */
export function makeSizedBatch(count: number, valueBytes: number, timestamp = 1_700_000_000_000): Buffer {
  const value = Buffer.alloc(valueBytes, 0x61);
  return encodeRecordBatch({ records: Array.from({ length: count }, () => ({ key: null, value, timestamp })) });
}

/** Decodes whole batches into (offset, key, value) triples. */
export function recordsOf(
  buf: Buffer,
): Array<{ offset: number; key: string | null; value: string | null; timestamp: number }> {
  return decodeRecordBatches(buf).flatMap((b) =>
    b.records.map((r) => ({
      offset: r.offset,
      key: r.key?.toString() ?? null,
      value: r.value?.toString() ?? null,
      timestamp: r.timestamp,
    })),
  );
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'vltava-storage-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads every record from `from` to the log end (a read returns data from one segment at most, as in Kafka). */
export async function readAll(
  log: { read(o: number, opts: { maxBytes: number }): Promise<{ records: Buffer }>; logEndOffset: number },
  from = 0,
): Promise<ReturnType<typeof recordsOf>> {
  const out: ReturnType<typeof recordsOf> = [];
  let off = from;
  while (off < log.logEndOffset) {
    const r = await log.read(off, { maxBytes: 1 << 20 });
    const recs = recordsOf(r.records).filter((x) => x.offset >= off);
    if (r.records.length === 0) break;
    out.push(...recs);
    const { batchLastOffset } = await import('../../src/protocol/records/batch-header.js');
    let pos = 0;
    let last = off;
    while (pos < r.records.length) {
      last = batchLastOffset(r.records, pos);
      pos += 12 + r.records.readInt32BE(pos + 8);
    }
    off = last + 1;
  }
  return out;
}
