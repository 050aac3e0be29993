import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DecodeError, Reader, Writer, uvarintSize, varintSize } from '../../../../src/protocol/primitives/index.js';

describe('primitives', () => {
  it('zig-zag varints round-trip and match their size function', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
        const w = new Writer(1).varint(v);
        assert.equal(w.offset, varintSize(v));
        assert.equal(new Reader(w.finish()).varint(), v);
      }),
    );
  });

  it('unsigned varints round-trip and match their size function', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (v) => {
        const w = new Writer(1).uvarint(v);
        assert.equal(w.offset, uvarintSize(v));
        assert.equal(new Reader(w.finish()).uvarint(), v);
      }),
    );
  });

  it('varlongs round-trip as bigint and as safe numbers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        assert.equal(new Reader(new Writer(1).varlong(v).finish()).varlong(), v);
      }),
    );
    fc.assert(
      fc.property(fc.maxSafeInteger(), (v) => {
        const enc = new Writer(1).varlongn(v).finish();
        assert.deepEqual(enc, new Writer(1).varlong(BigInt(v)).finish());
        assert.equal(new Reader(enc).varlongn(), v);
      }),
    );
  });

  it('known varint encodings match the protocol guide', () => {
    assert.deepEqual([...new Writer().varint(0).finish()], [0]);
    assert.deepEqual([...new Writer().varint(-1).finish()], [1]);
    assert.deepEqual([...new Writer().varint(1).finish()], [2]);
    assert.deepEqual([...new Writer().varint(300).finish()], [0xd8, 0x04]);
    assert.deepEqual([...new Writer().uvarint(300).finish()], [0xac, 0x02]);
  });

  it('strings, bytes and int64 round-trip in compact and classic forms', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.option(fc.string()),
        fc.uint8Array(),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        (s, ns, b, l) => {
          const w = new Writer(2);
          w.string(s).nullableString(ns).compactString(s).compactNullableString(ns);
          w.bytes(Buffer.from(b)).compactBytes(Buffer.from(b)).int64(l);
          const r = new Reader(w.finish());
          assert.equal(r.string(), s);
          assert.equal(r.nullableString(), ns);
          assert.equal(r.compactString(), s);
          assert.equal(r.compactNullableString(), ns);
          assert.deepEqual(r.bytes(), Buffer.from(b));
          assert.deepEqual(r.compactBytes(), Buffer.from(b));
          assert.equal(r.int64(), l);
          assert.equal(r.remaining, 0);
        },
      ),
    );
  });

  it('a length prefix larger than the input is a DecodeError, not an allocation', () => {
    const huge = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
    assert.throws(() => new Reader(huge).bytes(), DecodeError);
    assert.throws(() => new Reader(huge).arrayLength(), DecodeError);
    assert.throws(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])).compactBytes(), DecodeError);
  });

  it('unknown tagged fields are skipped', () => {
    const w = new Writer();
    w.uvarint(2)
      .uvarint(3)
      .uvarint(2)
      .raw(Buffer.from([9, 9]))
      .uvarint(7)
      .uvarint(1)
      .raw(Buffer.from([5]));
    w.int8(42);
    const r = new Reader(w.finish());
    const seen: number[] = [];
    r.taggedFields((tag, sub) => {
      if (tag !== 7) return false;
      seen.push(sub.int8());
      return true;
    });
    assert.deepEqual(seen, [5]);
    assert.equal(r.int8(), 42);
  });
});
