// Random and mutated bytes fed to every request decoder (every version) and the frame decoder
// raise only DecodeError: never another exception, a hang, or an allocation the input cannot
// justify.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeRequest, decodeRequestFrame } from '../../../src/protocol/framing.js';
import * as messages from '../../../src/protocol/messages/index.js';
import { DecodeError, Reader, Writer } from '../../../src/protocol/primitives/index.js';
import { loadSchemas, MessageArbitraries, type Schema, versionsOf } from '../../helpers/schema-arbitraries.js';

const RUNS = Number(process.env.VLTAVA_FUZZ_RUNS ?? 30);

function onlyDecodeErrors(decode: () => unknown): void {
  try {
    decode();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
}

// A mutation: overwrite, insert or delete bytes at random positions, or truncate.
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  // length-ish fields: 0xff runs turn lengths and varints into huge or negative values
  fc.record({ kind: fc.constant('ff' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 5 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(input: Buffer, muts: Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    switch (m.kind) {
      case 'set':
        if (b.length > 0) b[at % b.length] = m.byte;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.n)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'ff':
        for (let i = 0; i < m.n && at + i < b.length; i++) b[at + i] = 0xff;
        break;
    }
  }
  return b;
}

const requests = loadSchemas().filter((s) => s.type === 'request' || s.type === 'header');

function decoderFor(s: Schema): (r: Reader, v: number) => unknown {
  return (messages as unknown as Record<string, (r: Reader, v: number) => unknown>)[`decode${s.name}`]!;
}
function encoderFor(s: Schema): (m: unknown, v: number, w: Writer) => void {
  return (messages as unknown as Record<string, (m: unknown, v: number, w: Writer) => void>)[`encode${s.name}`]!;
}

for (const schema of requests) {
  describe(`${schema.name} decoder fuzz`, () => {
    const decode = decoderFor(schema);
    const encode = encoderFor(schema);
    const arbs = new MessageArbitraries(schema);
    for (const v of versionsOf(schema)) {
      it(`v${v}: random bytes raise only DecodeError`, () => {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
            onlyDecodeErrors(() => decode(new Reader(Buffer.from(bytes)), v));
          }),
          { numRuns: RUNS },
        );
      });
      it(`v${v}: mutated valid encodings raise only DecodeError`, () => {
        fc.assert(
          fc.property(arbs.messageArb(v), fc.array(mutation, { minLength: 1, maxLength: 4 }), (msg, muts) => {
            const w = new Writer(64);
            encode(msg, v, w);
            const bad = mutate(w.finish(), muts);
            onlyDecodeErrors(() => decode(new Reader(bad), v));
          }),
          { numRuns: RUNS },
        );
      });
    }
  });
}

describe('request frame fuzz', () => {
  it('random frames raise only DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
        onlyDecodeErrors(() => decodeRequest(Buffer.from(bytes)));
      }),
      { numRuns: 2000 },
    );
  });

  it('frames with a valid header and random body raise only DecodeError', () => {
    const apiKeys = messages.apis.map((a) => a.apiKey);
    fc.assert(
      fc.property(
        fc.constantFrom(...apiKeys),
        fc.integer({ min: -1, max: 20 }),
        fc.uint8Array({ maxLength: 96 }),
        (apiKey, apiVersion, body) => {
          const head = Buffer.alloc(10);
          head.writeInt16BE(apiKey, 0);
          head.writeInt16BE(apiVersion, 2);
          head.writeInt32BE(7, 4);
          head.writeInt16BE(-1, 8);
          onlyDecodeErrors(() => decodeRequest(Buffer.concat([head, Buffer.from(body)])));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('length fields claiming 2 GB', () => {
  const before = () => process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;

  it('a Produce v3 records field of 0x7fffffff bytes is rejected without allocating', () => {
    const w = new Writer();
    w.nullableString(null).int16(1).int32(1000); // transactionalId, acks, timeoutMs
    w.int32(1).string('t'); // one topic
    w.int32(1).int32(0); // one partition, index 0
    w.int32(0x7fffffff); // records length: 2 GB, with nothing behind it
    const m0 = before();
    assert.throws(() => messages.decodeProduceRequest(new Reader(w.finish()), 3), DecodeError);
    assert.ok(before() - m0 < 64 * 1024 * 1024);
  });

  it('array and compact-array counts of 2^31-1 are rejected without allocating', () => {
    const plain = new Writer().nullableString(null).int16(1).int32(1000).int32(0x7fffffff).finish();
    const compact = new Writer().uvarint(0).int16(1).int32(1000).uvarint(0xffffffff).finish();
    const m0 = before();
    assert.throws(() => messages.decodeProduceRequest(new Reader(plain), 3), DecodeError);
    assert.throws(() => messages.decodeProduceRequest(new Reader(compact), 9), DecodeError);
    assert.ok(before() - m0 < 64 * 1024 * 1024);
  });

  it('a frame whose header claims a 2 GB client id is rejected', () => {
    const frame = Buffer.from([0, 18, 0, 3, 0, 0, 0, 1, 0x7f, 0xff]);
    assert.throws(() => decodeRequestFrame(frame), DecodeError);
  });
});
