import { DecodeError } from './decode-error.js';

/**
 * Sans-I/O cursor over a Buffer for Kafka's primitive types.
 *
 * Invariants: every read checks the remaining length first and throws `DecodeError` (never a
 * RangeError); length prefixes are checked against the bytes actually present before anything is
 * allocated, so a length field claiming 2 GB on a 100-byte input costs nothing. Byte fields are
 * returned as `subarray` views (no copy): callers that keep them beyond the frame's life must copy.
 */
export class Reader {
  offset: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    end = buf.length,
  ) {
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.offset + n > this.end) {
      throw new DecodeError(`truncated ${what}: need ${n} bytes at ${this.offset}, have ${this.end - this.offset}`);
    }
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.offset++);
  }

  uint8(): number {
    this.need(1, 'uint8');
    return this.buf[this.offset++]!;
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  uint16(): number {
    this.need(2, 'uint16');
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  int64(): bigint {
    this.need(8, 'int64');
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  /** int64 as a JS number; exact up to 2^53, which covers offsets and timestamps in practice. */
  int64n(): number {
    this.need(8, 'int64');
    const hi = this.buf.readInt32BE(this.offset);
    const lo = this.buf.readUInt32BE(this.offset + 4);
    this.offset += 8;
    return hi * 4294967296 + lo;
  }

  float64(): number {
    this.need(8, 'float64');
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  /** Unsigned LEB128 varint, at most 5 bytes (32 bits). */
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (this.offset >= this.end) throw new DecodeError('truncated varint');
      const b = this.buf[this.offset++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) throw new DecodeError('varint overflows 32 bits');
        return result;
      }
      shift += 7;
    }
    throw new DecodeError('varint longer than 5 bytes');
  }

  /** Zig-zag signed varint (32 bits). */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Unsigned LEB128 varlong, at most 10 bytes (64 bits). */
  uvarlong(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.end) throw new DecodeError('truncated varlong');
      const b = this.buf[this.offset++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new DecodeError('varlong longer than 10 bytes');
  }

  /** Zig-zag signed varlong as bigint. */
  varlong(): bigint {
    const u = this.uvarlong();
    return BigInt.asIntN(64, (u >> 1n) ^ -(u & 1n));
  }

  /**
   * Zig-zag signed varlong as a JS number, fast path for values that fit in 53 bits (record
   * timestamp and offset deltas). Falls back to bigint decoding for longer encodings.
   */
  varlongn(): number {
    const start = this.offset;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (this.offset >= this.end) throw new DecodeError('truncated varlong');
      const b = this.buf[this.offset++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) {
        // zig-zag decode without 32-bit operators
        return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      }
      mul *= 128;
    }
    this.offset = start;
    return Number(this.varlong());
  }

  uuid(): Buffer {
    this.need(16, 'uuid');
    const v = this.buf.subarray(this.offset, this.offset + 16);
    this.offset += 16;
    return v;
  }

  raw(n: number): Buffer {
    this.need(n, 'bytes');
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  skip(n: number): void {
    this.need(n, 'skipped bytes');
    this.offset += n;
  }

  private str(n: number): string {
    this.need(n, 'string');
    const v = this.buf.toString('utf8', this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  string(): string {
    const n = this.int16();
    if (n < 0) throw new DecodeError(`non-nullable string has length ${n}`);
    return this.str(n);
  }

  nullableString(): string | null {
    const n = this.int16();
    if (n === -1) return null;
    if (n < 0) throw new DecodeError(`invalid string length ${n}`);
    return this.str(n);
  }

  compactString(): string {
    const n = this.uvarint();
    if (n === 0) throw new DecodeError('non-nullable compact string is null');
    return this.str(n - 1);
  }

  compactNullableString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    return this.str(n - 1);
  }

  bytes(): Buffer {
    const n = this.int32();
    if (n < 0) throw new DecodeError(`non-nullable bytes has length ${n}`);
    return this.raw(n);
  }

  nullableBytes(): Buffer | null {
    const n = this.int32();
    if (n === -1) return null;
    if (n < 0) throw new DecodeError(`invalid bytes length ${n}`);
    return this.raw(n);
  }

  compactBytes(): Buffer {
    const n = this.uvarint();
    if (n === 0) throw new DecodeError('non-nullable compact bytes is null');
    return this.raw(n - 1);
  }

  compactNullableBytes(): Buffer | null {
    const n = this.uvarint();
    if (n === 0) return null;
    return this.raw(n - 1);
  }

  /**
   * Array length (int32). Returns -1 for null. A count larger than the remaining bytes cannot be
   * genuine (every element takes at least one byte) and is rejected before any allocation.
   */
  arrayLength(): number {
    const n = this.int32();
    if (n < -1) throw new DecodeError(`invalid array length ${n}`);
    if (n > this.remaining) throw new DecodeError(`array length ${n} exceeds remaining ${this.remaining} bytes`);
    return n;
  }

  /** Compact array length (unsigned varint N+1). Returns -1 for null. */
  compactArrayLength(): number {
    const n = this.uvarint() - 1;
    if (n > this.remaining) throw new DecodeError(`array length ${n} exceeds remaining ${this.remaining} bytes`);
    return n;
  }

  /**
   * Reads a tagged-field section. Known tags are passed to `onTag` with a sub-reader bounded to the
   * field; unknown tags (onTag returns false) are skipped without error.
   */
  taggedFields(onTag?: (tag: number, r: Reader) => boolean): void {
    const count = this.uvarint();
    if (count > this.remaining) throw new DecodeError(`tagged field count ${count} exceeds input`);
    let prev = -1;
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      if (tag <= prev) throw new DecodeError(`tagged fields out of order: ${tag} after ${prev}`);
      prev = tag;
      const size = this.uvarint();
      this.need(size, 'tagged field');
      const end = this.offset + size;
      if (onTag) {
        const sub = new Reader(this.buf, this.offset, end);
        if (onTag(tag, sub) && sub.offset !== end) {
          throw new DecodeError(`tagged field ${tag} has ${end - sub.offset} trailing bytes`);
        }
      }
      this.offset = end;
    }
  }
}
