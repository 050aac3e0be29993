/**
 * One record inside a RecordBatch v2 records section (uncompressed bytes):
 *
 *   length: varint            (bytes that follow, up to the end of the headers)
 *   attributes: int8          (unused, written as 0)
 *   timestampDelta: varlong   (from the batch's baseTimestamp)
 *   offsetDelta: varint       (from the batch's baseOffset)
 *   keyLength: varint, key    (-1 = null)
 *   valueLength: varint, value(-1 = null)
 *   headersCount: varint, [headerKeyLength: varint, headerKey: utf8, valueLength: varint, value]
 *
 * Decoding reads within the record's own `length`, so a damaged record cannot run into its
 * neighbour, and must consume exactly `length` bytes. Keys, values and header values are
 * `subarray` views of the input (no copy); header keys are decoded to strings, as Kafka's
 * Header.key() is a String. Counts are checked against the bytes present before looping, so a
 * count claiming 2^31 costs nothing.
 */
import { DecodeError } from '../primitives/decode-error.js';
import { Reader } from '../primitives/reader.js';
import type { Writer } from '../primitives/writer.js';
import { InvalidRecordError } from './errors.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record as decoded from a batch: deltas plus the absolute offset and timestamp. */
export interface Record {
  offset: number;
  offsetDelta: number;
  timestamp: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  attributes: number;
}

/** A record to encode. `timestamp` (absolute) wins over `timestampDelta`; both default to the batch's. */
export interface RecordInput {
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: readonly { key: string | Buffer; value: Buffer | null }[];
  timestamp?: number;
  timestampDelta?: number;
  /** Defaults to the record's index in the batch. */
  offsetDelta?: number;
}

/** The smallest record: a 1-byte length and six 1-byte fields. */
export const MIN_RECORD_SIZE = 7;

/** Writes one record with its length prefix. The body is staged after a 5-byte gap then shifted. */
export function writeRecord(w: Writer, r: RecordInput, timestampDelta: number, offsetDelta: number): void {
  // The length varint precedes the body, so reserve its maximum size and close the gap after.
  w.ensure(5);
  const lengthAt = w.offset;
  w.offset += 5;
  const bodyStart = w.offset;
  w.int8(0);
  w.varlongn(timestampDelta);
  w.varint(offsetDelta);
  writeVarBytes(w, r.key ?? null);
  writeVarBytes(w, r.value ?? null);
  const headers = r.headers ?? [];
  w.varint(headers.length);
  for (const h of headers) {
    const key = typeof h.key === 'string' ? Buffer.from(h.key, 'utf8') : h.key;
    w.varint(key.length);
    w.raw(key);
    writeVarBytes(w, h.value);
  }
  const bodyLen = w.offset - bodyStart;
  const mark = w.offset;
  w.offset = lengthAt;
  w.varint(bodyLen);
  const lenSize = w.offset - lengthAt;
  if (lenSize < 5) w.buf.copy(w.buf, lengthAt + lenSize, bodyStart, mark);
  w.offset = lengthAt + lenSize + bodyLen;
}

function writeVarBytes(w: Writer, b: Buffer | null): void {
  if (b === null) {
    w.varint(-1);
    return;
  }
  w.varint(b.length);
  w.raw(b);
}

const invalid = (detail: string, at: number) =>
  new InvalidRecordError('invalid-record', `record at byte ${at}: ${detail}`);

function readVarBytes(r: Reader, what: string): Buffer | null {
  const n = r.varint();
  if (n === -1) return null;
  if (n < 0) throw invalid(`negative ${what} length ${n}`, r.offset);
  if (n > r.remaining) throw invalid(`${what} length ${n} overruns the record`, r.offset);
  return r.raw(n);
}

/**
 * Reads one record at `r.offset` and advances past it. `baseOffset`/`baseTimestamp` turn deltas
 * into absolute values; `logAppendTime`, when not null, replaces every record's timestamp (a
 * LogAppendTime batch carries the broker's time once, in maxTimestamp).
 */
export function readRecord(r: Reader, baseOffset: number, baseTimestamp: number, logAppendTime: number | null): Record {
  const start = r.offset;
  let length: number;
  try {
    length = r.varint();
  } catch {
    throw invalid('unreadable length', start);
  }
  if (length < MIN_RECORD_SIZE - 1 || length > r.remaining) {
    throw invalid(`length ${length} outside 6..${r.remaining}`, start);
  }
  const end = r.offset + length;
  const body = new Reader(r.buf, r.offset, end);
  try {
    const attributes = body.int8();
    const timestampDelta = body.varlongn();
    const offsetDelta = body.varint();
    const key = readVarBytes(body, 'key');
    const value = readVarBytes(body, 'value');
    const headerCount = body.varint();
    // each header takes at least two bytes (two length varints)
    if (headerCount < 0 || headerCount * 2 > body.remaining) throw invalid(`header count ${headerCount}`, start);
    const headers: RecordHeader[] = [];
    for (let i = 0; i < headerCount; i++) {
      const keyLen = body.varint();
      if (keyLen < 0 || keyLen > body.remaining) throw invalid(`header key length ${keyLen}`, start);
      const hkey = body.buf.toString('utf8', body.offset, body.offset + keyLen);
      body.offset += keyLen;
      headers.push({ key: hkey, value: readVarBytes(body, 'header value') });
    }
    if (body.offset !== end) throw invalid(`${end - body.offset} bytes left after the headers`, start);
    r.offset = end;
    return {
      offset: baseOffset + offsetDelta,
      offsetDelta,
      timestamp: logAppendTime ?? baseTimestamp + timestampDelta,
      timestampDelta,
      key,
      value,
      headers,
      attributes,
    };
  } catch (e) {
    if (e instanceof InvalidRecordError) throw e;
    if (e instanceof DecodeError) throw invalid(e.message, start);
    throw e;
  }
}
