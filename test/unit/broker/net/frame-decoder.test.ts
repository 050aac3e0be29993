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

  it('returns a view, not a copy, when a frame sits inside one chunk', () => {
    const d = new FrameDecoder(100);
    const chunk = encode([Buffer.from('abc')]);
    d.push(chunk);
    const f = d.next()!;
    assert.equal(f.buffer, chunk.buffer);
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
