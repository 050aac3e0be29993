import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FrameDecoder, frameResponse } from '../../../../src/broker/net/frame-decoder.js';

function encode(frames: Buffer[]): Buffer {
  return Buffer.concat(frames.flatMap((f) => frameResponse(f).buffers));
}

/** Splits `buf` at the given cut points (sorted, deduplicated, within bounds). */
function split(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('FrameDecoder', () => {
  it('yields the same frames however the stream is split or coalesced', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (bodies, cuts) => {
          const frames = bodies.map((b) => Buffer.from(b));
          const d = new FrameDecoder(1000);
          const got: Buffer[] = [];
          for (const chunk of split(encode(frames), cuts)) {
            d.push(chunk);
            for (let f = d.next(); f !== undefined; f = d.next()) got.push(Buffer.from(f));
          }
          assert.deepEqual(got, frames);
          assert.equal(d.bufferedBytes, 0);
        },
      ),
    );
  });

  it('never references a pushed chunk afterwards, so the caller may reuse its read buffer', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (bodies, cuts) => {
          const frames = bodies.map((b) => Buffer.from(b));
          const d = new FrameDecoder(1000);
          const taken: Buffer[] = [];
          for (const chunk of split(encode(frames), cuts)) {
            const reused = Buffer.from(chunk);
            d.push(reused);
            reused.fill(0xee);
            for (let f = d.next(); f !== undefined; f = d.next()) taken.push(f);
          }
          assert.deepEqual(taken, frames);
        },
      ),
    );
  });

  it('offers the unfilled tail of a large frame as the read target, and that frame is returned', () => {
    const body = Buffer.alloc(100_000);
    for (let i = 0; i < body.length; i++) body[i] = i & 0xff;
    const wire = encode([body, Buffer.from('next')]);
    const d = new FrameDecoder(1 << 20);
    assert.equal(d.readTarget(), undefined);
    d.push(wire.subarray(0, 1000));
    const target = d.readTarget()!;
    assert.equal(target.length, body.length - 996);
    // The socket reads straight into the frame, in two reads.
    wire.copy(target, 0, 1000, 50_000);
    d.wrote(49_000);
    const rest = d.readTarget()!;
    wire.copy(rest, 0, 50_000, 4 + body.length);
    d.wrote(4 + body.length - 50_000);
    assert.equal(d.readTarget(), undefined);
    const f = d.next()!;
    assert.equal(f.buffer, target.buffer);
    assert.deepEqual(f, body);
    d.push(wire.subarray(4 + body.length));
    assert.deepEqual(d.next(), Buffer.from('next'));
    assert.equal(d.bufferedBytes, 0);
  });

  it('returns the frames before an invalid size, then throws', () => {
    const d = new FrameDecoder(10);
    const bad = Buffer.alloc(4);
    bad.writeInt32BE(11);
    d.push(Buffer.concat([encode([Buffer.from('ok')]), bad]));
    assert.deepEqual(d.next(), Buffer.from('ok'));
    assert.throws(() => d.next(), { code: 'ERR_FRAME_TOO_LARGE' });
  });

  it('rejects an oversized frame as soon as its size arrives', () => {
    const d = new FrameDecoder(10);
    const size = Buffer.alloc(4);
    size.writeInt32BE(11);
    d.push(size);
    assert.throws(() => d.next(), { code: 'ERR_FRAME_TOO_LARGE' });
  });

  it('rejects a negative size', () => {
    const d = new FrameDecoder(10);
    d.push(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
    assert.throws(() => d.next(), { code: 'ERR_FRAME_INVALID' });
  });

  it('accepts a frame of exactly the maximum size and an empty frame', () => {
    const d = new FrameDecoder(5);
    d.push(encode([Buffer.alloc(5, 1), Buffer.alloc(0)]));
    assert.equal(d.next()!.length, 5);
    assert.equal(d.next()!.length, 0);
    assert.equal(d.next(), undefined);
  });
});
