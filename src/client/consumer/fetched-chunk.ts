/**
 * FetchedChunk: one partition's whole RecordBatches from one Fetch response, waiting in the
 * fetcher's buffer, decoded lazily — a record is read only when `read` hands it out.
 *
 * Why lazy: the buffer may hold up to maxBufferedBytes (16 MiB by default); decoding at arrival
 * turned that into ~150k live objects for 100-byte records, which survived young-generation GCs
 * and were promoted, and paid for records a seek then dropped. Read on demand, a record is
 * allocated just before the application gets it and dies young.
 *
 * Per record exactly one object is made, already shaped as the consumer's record (topic,
 * partition, offset, timestamp, key, value, headers); key, value and header values are views of
 * the response (or of the batch's decompressed section). Header keys are strings, as Kafka's
 * Header.key() is. The common encoding is decoded inline; anything unusual (a varint longer than
 * the fast path reads, a bound that does not hold) falls back to the protocol's `readRecord`,
 * which decodes it or throws the codec's error, so the checks are exactly the codec's.
 *
 * Batches are validated (framing, magic, CRC32C — Java's check.crcs) when the cursor reaches
 * them. Control batches are never delivered; with `aborted` (read_committed), records of aborted
 * transactions are skipped by Kafka's algorithm: a producer is aborted from its first offset in
 * the response's abortedTransactions list until its ABORT marker.
 *
 * Errors (corrupt or invalid batches) are thrown from `read` after the records before them were
 * handed out; `nextOffset` then says where fetching must resume.
 */
import { RECORD_BATCH_OVERHEAD, TimestampType } from '../../protocol/records/batch-header.js';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decompress } from '../../protocol/records/compression/index.js';
import { ControlRecordType, parseControlRecordKey } from '../../protocol/records/control.js';
import { iterateRecords } from '../../protocol/records/decode.js';
import { InvalidRecordError } from '../../protocol/records/errors.js';
import { readRecord } from '../../protocol/records/record.js';
import { validateRecordBatch } from '../../protocol/records/validate.js';
import { Reader } from '../../protocol/primitives/reader.js';

/** A record as the fetcher hands it out; the consumer deserializes key and value in place. */
export interface FetchedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
}

export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

/** Thrown inside the fast path to hand the record to the codec's own decoder. */
const SLOW = Symbol('slow');

export class FetchedChunk {
  /** Position of the next batch in `buf` to open. */
  private pos = 0;
  /** The open batch's records section (decompressed) and cursor. */
  private data: Buffer = EMPTY;
  private at = 0;
  private left = 0;
  private declared = 0;
  private batchAt = 0;
  private baseOffset = 0;
  private baseTimestamp = 0;
  /** LogAppendTime batches carry the broker's time once (maxTimestamp); -1 = CreateTime. */
  private logAppendTime = -1;
  private readonly aborted: AbortedTransaction[] | undefined;
  private abortedAt = 0;
  private readonly abortedProducers = new Set<bigint>();
  /** Offset of the next record not yet handed out: where to resume after an error. */
  nextOffset: number;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly epoch: number,
    /** Whole batches only (the fetcher cut any partial batch at the end). */
    private readonly buf: Buffer,
    /** The fetch position: records before it (a batch may start earlier) are skipped. */
    private readonly from: number,
    readonly highWatermark: number,
    aborted: readonly AbortedTransaction[] | null | undefined,
  ) {
    this.nextOffset = from;
    this.aborted = aborted
      ? [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0))
      : undefined;
  }

  /** Bytes this chunk holds (what it counts against maxBufferedBytes). */
  get bytes(): number {
    return this.buf.length;
  }

  /** True once every record has been handed out (or skipped). */
  get done(): boolean {
    return this.left === 0 && this.pos >= this.buf.length;
  }

  /** Appends up to `max` records to `out`; returns how many. Throws the codec's errors. */
  read(max: number, out: FetchedRecord[]): number {
    let n = 0;
    while (n < max) {
      if (this.left === 0) {
        if (!this.openNextBatch()) break;
        continue;
      }
      const r = this.readOne();
      if (r !== undefined) {
        out.push(r);
        n++;
      }
    }
    return n;
  }

  /** Moves to the next batch with deliverable records; false at the end of the chunk. */
  private openNextBatch(): boolean {
    const buf = this.buf;
    while (this.pos < buf.length) {
      const s = validateRecordBatch(buf, this.pos);
      this.pos += s.sizeInBytes;
      const lastOffset = s.baseOffset + s.lastOffsetDelta;
      if (lastOffset < this.from) continue;
      const aborted = this.aborted;
      if (aborted) {
        while (this.abortedAt < aborted.length && Number(aborted[this.abortedAt]!.firstOffset) <= lastOffset)
          this.abortedProducers.add(aborted[this.abortedAt++]!.producerId);
      }
      this.nextOffset = Math.max(this.nextOffset, s.baseOffset);
      if (s.isControl) {
        // an ABORT marker ends its producer's aborted range; control records are never delivered
        if (aborted && s.isTransactional && s.recordCount > 0) {
          const marker = iterateRecords(buf, s.position).next().value;
          if (marker && parseControlRecordKey(marker.key).type === ControlRecordType.Abort)
            this.abortedProducers.delete(s.producerId);
        }
        this.nextOffset = Math.max(this.nextOffset, lastOffset + 1);
        continue;
      }
      if (s.isTransactional && this.abortedProducers.has(s.producerId)) {
        this.nextOffset = Math.max(this.nextOffset, lastOffset + 1);
        continue;
      }
      this.data = decompress(
        s.compression,
        buf.subarray(s.position + RECORD_BATCH_OVERHEAD, s.position + s.sizeInBytes),
        DEFAULT_MAX_DECOMPRESSED_BYTES,
      );
      this.at = 0;
      this.left = this.declared = s.recordCount;
      this.batchAt = s.position;
      this.baseOffset = s.baseOffset;
      this.baseTimestamp = s.baseTimestamp;
      this.logAppendTime = s.timestampType === TimestampType.LogAppendTime ? s.maxTimestamp : -1;
      if (s.recordCount === 0) this.trailingIfAny();
      return true;
    }
    return false;
  }

  /** Reads the record at the cursor; undefined when it lies before the fetch position. */
  private readOne(): FetchedRecord | undefined {
    if (this.at >= this.data.length) {
      throw new InvalidRecordError(
        'invalid-record',
        `batch at ${this.batchAt}: ${this.declared - this.left} of ${this.declared} declared records present`,
      );
    }
    const start = this.at;
    let r: FetchedRecord | undefined;
    try {
      r = this.fast();
    } catch (e) {
      if (e !== SLOW) throw e;
      this.at = start;
      r = this.slow();
    }
    this.left--;
    if (this.left === 0 && this.at !== this.data.length) this.trailing();
    if (r.offset < this.from) return undefined;
    this.nextOffset = r.offset + 1;
    return r;
  }

  /** The common case, inline: varints of up to 4 bytes (7 for the timestamp delta). */
  private fast(): FetchedRecord {
    const d = this.data;
    const length = this.zz(this.uv(d.length));
    const end = this.at + length;
    if (length < 6 || end > d.length) throw SLOW;
    this.at++; // attributes: unused
    const timestampDelta = this.varlong(end);
    const offsetDelta = this.zz(this.uv(end));
    const key = this.varBytes(end);
    const value = this.varBytes(end);
    const headerCount = this.zz(this.uv(end));
    if (headerCount < 0 || headerCount * 2 > end - this.at) throw SLOW;
    const headers: FetchedRecord['headers'] = [];
    for (let i = 0; i < headerCount; i++) {
      const keyLength = this.zz(this.uv(end));
      if (keyLength < 0 || this.at + keyLength > end) throw SLOW;
      const hkey = d.toString('utf8', this.at, this.at + keyLength);
      this.at += keyLength;
      headers.push({ key: hkey, value: this.varBytes(end) });
    }
    if (this.at !== end) throw SLOW;
    return {
      topic: this.topic,
      partition: this.partition,
      offset: this.baseOffset + offsetDelta,
      timestamp: this.logAppendTime >= 0 ? this.logAppendTime : this.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    };
  }

  /** The codec's decoder: decodes what the fast path does not, or throws its error. */
  private slow(): FetchedRecord {
    const reader = new Reader(this.data, this.at, this.data.length);
    const rec = readRecord(
      reader,
      this.baseOffset,
      this.baseTimestamp,
      this.logAppendTime >= 0 ? this.logAppendTime : null,
    );
    this.at = reader.offset;
    return {
      topic: this.topic,
      partition: this.partition,
      offset: rec.offset,
      timestamp: rec.timestamp,
      key: rec.key,
      value: rec.value,
      headers: rec.headers,
    };
  }

  /** Unsigned varint of at most 4 bytes before `limit`. */
  private uv(limit: number): number {
    const d = this.data;
    let at = this.at;
    if (at + 4 > limit) {
      // near the end: byte by byte, still bounded
      let result = 0;
      for (let shift = 0; shift < 28; shift += 7) {
        if (at >= limit) throw SLOW;
        const b = d[at++]!;
        result |= (b & 0x7f) << shift;
        if (b < 0x80) {
          this.at = at;
          return result;
        }
      }
      throw SLOW;
    }
    let b = d[at++]!;
    let result = b & 0x7f;
    if (b >= 0x80) {
      b = d[at++]!;
      result |= (b & 0x7f) << 7;
      if (b >= 0x80) {
        b = d[at++]!;
        result |= (b & 0x7f) << 14;
        if (b >= 0x80) {
          b = d[at++]!;
          if (b >= 0x80) throw SLOW;
          result |= b << 21;
        }
      }
    }
    this.at = at;
    return result;
  }

  /** Zig-zag decoding of a value below 2^28. */
  private zz(u: number): number {
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zig-zag varlong of at most 7 bytes (49 bits) as a number. */
  private varlong(limit: number): number {
    const d = this.data;
    let at = this.at;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (at >= limit) throw SLOW;
      const b = d[at++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.at = at;
        return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      }
      mul *= 128;
    }
    throw SLOW;
  }

  /** Length-prefixed bytes (-1 = null) as a view. */
  private varBytes(limit: number): Buffer | null {
    const n = this.zz(this.uv(limit));
    if (n === -1) return null;
    if (n < 0 || this.at + n > limit) throw SLOW;
    const v = this.data.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }

  private trailingIfAny(): void {
    if (this.at !== this.data.length) this.trailing();
  }

  /** Kafka's "records still remaining" rule: a batch's records fill its section exactly. */
  private trailing(): never {
    throw new InvalidRecordError(
      'invalid-record',
      `batch at ${this.batchAt}: ${this.data.length - this.at} bytes remain after ${this.declared} records`,
    );
  }
}

const EMPTY = Buffer.alloc(0);
