import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FrameReader } from '../../../src/client/net/frame-reader.js';

const frame = (body: Uint8Array) => {
  const b = Buffer.alloc(4 + body.length);
  b.writeInt32BE(body.length, 0);
  Buffer.from(body).copy(b, 4);
  return b;
};

describe('client frame reader', () => {
  it('returns the same frames however the byte stream is split or coalesced', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 4, maxLength: 300 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 50 }),
        (bodies, cuts) => {
          const stream = Buffer.concat(bodies.map(frame));
          const r = new FrameReader(1 << 20);
          const out: Buffer[] = [];
          let at = 0;
          for (let i = 0; at < stream.length; i++) {
            const n = cuts[i % cuts.length]!;
            out.push(...r.push(stream.subarray(at, at + n)));
            at += n;
          }
          assert.equal(out.length, bodies.length);
          for (const [i, f] of out.entries()) assert.deepEqual(new Uint8Array(f), bodies[i]);
          assert.equal(r.pendingBytes, 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reading into its own targets (socket onread) yields the same frames, which later reads never overwrite', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 4, maxLength: 200_000 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 20 }),
        (bodies, reads) => {
          const stream = Buffer.concat(bodies.map(frame));
          const r = new FrameReader(1 << 20);
          const out: Buffer[] = [];
          let at = 0;
          for (let i = 0; at < stream.length; i++) {
            // the kernel fills at most the target, with at most what has arrived
            const target = r.readTarget();
            const n = Math.min(reads[i % reads.length]!, target.length, stream.length - at);
            stream.copy(target, 0, at, at + n);
            out.push(...r.received(n, target));
            at += n;
          }
          assert.equal(out.length, bodies.length);
          for (const [i, f] of out.entries()) assert.ok(Buffer.from(bodies[i]!).equals(f), `frame ${i}`);
          assert.equal(r.pendingBytes, 0);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses a size prefix beyond the limit or below a header', () => {
    assert.throws(() => new FrameReader(100).push(frame(new Uint8Array(101))), RangeError);
    assert.throws(() => new FrameReader(100).push(Buffer.from([0, 0, 0, 2, 1, 2])), RangeError);
  });
});
