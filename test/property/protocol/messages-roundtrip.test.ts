// decode(encode(x)) deep-equals x for every generated message, every version, random valid x.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as messages from '../../../src/protocol/messages/index.js';
import { Reader, Writer } from '../../../src/protocol/primitives/index.js';
import { loadSchemas, MessageArbitraries, versionsOf } from '../../helpers/schema-arbitraries.js';

type Codec = {
  encode: (m: unknown, v: number, w: Writer) => void;
  decode: (r: Reader, v: number) => unknown;
};

export function codecFor(name: string): Codec {
  const mod = messages as unknown as Record<string, unknown>;
  const encode = mod[`encode${name}`];
  const decode = mod[`decode${name}`];
  if (typeof encode !== 'function' || typeof decode !== 'function') throw new Error(`no codec for ${name}`);
  return { encode, decode } as Codec;
}

const NUM_RUNS = Number(process.env.VLTAVA_PROPERTY_RUNS ?? 40);

for (const schema of loadSchemas()) {
  describe(`${schema.name} round trip`, () => {
    const { encode, decode } = codecFor(schema.name);
    const arbs = new MessageArbitraries(schema);
    for (const v of versionsOf(schema)) {
      it(`v${v}`, () => {
        fc.assert(
          fc.property(arbs.messageArb(v), (msg) => {
            const w = new Writer(64);
            encode(msg, v, w);
            const bytes = w.finish();
            const r = new Reader(bytes);
            const back = decode(r, v);
            assert.equal(r.remaining, 0, 'decoder must consume exactly what the encoder wrote');
            assert.deepStrictEqual(back, msg);
          }),
          { numRuns: NUM_RUNS },
        );
      });
    }
  });
}
