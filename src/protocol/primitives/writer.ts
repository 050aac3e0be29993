/**
 * Growable big-endian writer for Kafka's primitive types. Sans-I/O: produces a Buffer.
 *
 * The buffer doubles when full; `finish()` returns a view of the written bytes (no copy).
 * Byte fields given as Buffers are copied in once; nothing else allocates per field.
 *
 * Splicing (opt-in, `spliceMinBytes`): byte fields at least that long are not copied; the writer
 * keeps a reference and `finishChunks()` returns the encoded bytes as a list of buffers with those
 * fields in place, ready for a vectored socket write. The broker encodes Fetch responses this way
 * so stored record batches reach the socket without a copy. The caller must not change a spliced
 * Buffer until the chunks are written, and must not patch bytes already written (record encoding
 * does, and never splices).
 */
export interface WriterOptions {
  spliceMinBytes?: number;
}

export class Writer {
  buf: Buffer;
  offset = 0;
  private readonly spliceMinBytes: number;
  private chunks: Buffer[] | undefined;
  /** Where the bytes not yet handed to `chunks` start in `buf`. */
  private chunkStart = 0;

  constructor(initialSize = 256, options?: WriterOptions) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.spliceMinBytes = options?.spliceMinBytes ?? Number.POSITIVE_INFINITY;
  }

  /** The written bytes: one Buffer when nothing was spliced, else the chunks in order. */
  finishChunks(): Buffer | Buffer[] {
    if (this.chunks === undefined) return this.finish();
    const tail = this.buf.subarray(this.chunkStart, this.offset);
    return tail.length > 0 ? [...this.chunks, tail] : this.chunks;
  }

  private splice(v: Buffer): this {
    this.chunks ??= [];
    if (this.offset > this.chunkStart) this.chunks.push(this.buf.subarray(this.chunkStart, this.offset));
    this.chunks.push(v);
    this.chunkStart = this.offset;
    return this;
  }

  ensure(n: number): void {
    const need = this.offset + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  finish(): Buffer {
    if (this.chunks !== undefined) return Buffer.concat(this.finishChunks() as Buffer[]);
    return this.buf.subarray(0, this.offset);
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.offset++);
    return this;
  }

  uint8(v: number): this {
    this.ensure(1);
    this.buf[this.offset++] = v & 0xff;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.offset);
    this.offset += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.offset);
    this.offset += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.offset);
    this.offset += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.offset);
    this.offset += 4;
    return this;
  }

  int64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.offset);
    this.offset += 8;
    return this;
  }

  /** int64 from a JS number (exact for |v| <= 2^53). */
  int64n(v: number): this {
    this.ensure(8);
    const hi = Math.floor(v / 4294967296);
    this.buf.writeInt32BE(hi, this.offset);
    this.buf.writeUInt32BE(v - hi * 4294967296, this.offset + 4);
    this.offset += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.offset);
    this.offset += 8;
    return this;
  }

  uvarint(v: number): this {
    this.ensure(5);
    let x = v >>> 0;
    while (x >= 0x80) {
      this.buf[this.offset++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.buf[this.offset++] = x;
    return this;
  }

  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  uvarlong(v: bigint): this {
    this.ensure(10);
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.buf[this.offset++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.offset++] = Number(x);
    return this;
  }

  varlong(v: bigint): this {
    const x = BigInt.asIntN(64, v);
    return this.uvarlong((x << 1n) ^ (x >> 63n));
  }

  /** Zig-zag varlong from a JS number; fast path for |v| < 2^31, exact up to 2^53. */
  varlongn(v: number): this {
    if (v >= -0x40000000 && v < 0x40000000) return this.varint(v);
    // zig-zag doubles the magnitude: beyond 2^52 it would leave the exact range of a double
    if (v >= 2 ** 52 || v <= -(2 ** 52)) return this.varlong(BigInt(v));
    let z = v >= 0 ? v * 2 : -v * 2 - 1;
    this.ensure(10);
    while (z >= 128) {
      this.buf[this.offset++] = (z % 128) | 0x80;
      z = Math.floor(z / 128);
    }
    this.buf[this.offset++] = z;
    return this;
  }

  uuid(v: Buffer): this {
    this.ensure(16);
    if (v.length !== 16) throw new RangeError(`uuid must be 16 bytes, got ${v.length}`);
    v.copy(this.buf, this.offset);
    this.offset += 16;
    return this;
  }

  raw(v: Buffer): this {
    this.ensure(v.length);
    v.copy(this.buf, this.offset);
    this.offset += v.length;
    return this;
  }

  private utf8(v: string, len: number): void {
    this.ensure(len);
    this.buf.write(v, this.offset, len, 'utf8');
    this.offset += len;
  }

  string(v: string): this {
    const len = Buffer.byteLength(v, 'utf8');
    if (len > 0x7fff) throw new RangeError(`string of ${len} bytes exceeds int16 length`);
    this.int16(len);
    this.utf8(v, len);
    return this;
  }

  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    return this.string(v);
  }

  compactString(v: string): this {
    const len = Buffer.byteLength(v, 'utf8');
    this.uvarint(len + 1);
    this.utf8(v, len);
    return this;
  }

  compactNullableString(v: string | null): this {
    if (v === null) return this.uvarint(0);
    return this.compactString(v);
  }

  bytes(v: Buffer): this {
    this.int32(v.length);
    return v.length >= this.spliceMinBytes ? this.splice(v) : this.raw(v);
  }

  nullableBytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    return this.bytes(v);
  }

  compactBytes(v: Buffer): this {
    this.uvarint(v.length + 1);
    return v.length >= this.spliceMinBytes ? this.splice(v) : this.raw(v);
  }

  compactNullableBytes(v: Buffer | null): this {
    if (v === null) return this.uvarint(0);
    return this.compactBytes(v);
  }

  arrayLength(n: number | null): this {
    return this.int32(n === null ? -1 : n);
  }

  compactArrayLength(n: number | null): this {
    return this.uvarint(n === null ? 0 : n + 1);
  }

  /** Reserves 4 bytes for a length/size to be patched later; returns its position. */
  reserveInt32(): number {
    this.ensure(4);
    const at = this.offset;
    this.offset += 4;
    return at;
  }

  patchInt32(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
  }
}

/** Number of bytes the unsigned varint encoding of v takes. */
export function uvarintSize(v: number): number {
  let x = v >>> 0;
  let n = 1;
  while (x >= 0x80) {
    x >>>= 7;
    n++;
  }
  return n;
}

/** Number of bytes the zig-zag varint encoding of v takes. */
export function varintSize(v: number): number {
  return uvarintSize(((v << 1) ^ (v >> 31)) >>> 0);
}
