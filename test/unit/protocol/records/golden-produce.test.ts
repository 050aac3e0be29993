/**
 * Record batches captured from real clients (test/fixtures/golden/<client>-produce-v*-<codec>.bin,
 * written by scripts/capture-golden.mjs: one Produce request frame with its size prefix, plus a
 * JSON of the records the client was given). The request envelope is decoded with the generated
 * Produce codec, the partition's `records` with ours; the records must come back as sent.
 * librdkafka (kcat) sends snappy as one raw block and sends a batch uncompressed when compression
 * would not make it smaller, which is why a codec can be missing from a capture of tiny records.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeRequest } from '../../../../src/protocol/framing.js';
import type { ProduceRequest } from '../../../../src/protocol/messages/00-produce.js';
import {
  COMPRESSION_NAMES,
  validateRecordBatches,
  decodeRecordBatches,
} from '../../../../src/protocol/records/index.js';

const DIR = 'test/fixtures/golden';
const fixtures = existsSync(DIR)
  ? readdirSync(DIR)
      .filter((f) => /-produce-v\d+-\w+\.bin$/.test(f))
      .sort()
  : [];

interface Expected {
  compression: string;
  records: { key: string | null; value: string | null }[];
}

describe('golden Produce batches from real clients', () => {
  it('fixtures are present for librdkafka (kcat) in every codec', () => {
    const codecs = fixtures.filter((f) => f.startsWith('kcat-')).map((f) => /-(\w+)\.bin$/.exec(f)![1]);
    assert.deepEqual([...new Set(codecs)].sort(), ['gzip', 'lz4', 'none', 'snappy', 'zstd'], `fixtures in ${DIR}`);
  });

  for (const file of fixtures) {
    it(`${file} decodes to the records the client sent`, () => {
      const frame = readFileSync(join(DIR, file));
      const expected = JSON.parse(readFileSync(join(DIR, file.replace(/\.bin$/, '.json')), 'utf8')) as Expected;
      assert.equal(frame.readInt32BE(0), frame.length - 4);
      const { request } = decodeRequest(frame.subarray(4));
      const records = (request as ProduceRequest).topicData[0]!.partitionData[0]!.records!;
      const summaries = validateRecordBatches(records, { clientOrigin: true });
      assert.ok(summaries.length >= 1);
      assert.equal(COMPRESSION_NAMES[summaries[0]!.compression], expected.compression);
      const got = decodeRecordBatches(records).flatMap((b) =>
        b.records.map((r) => ({ key: r.key?.toString('utf8') ?? null, value: r.value?.toString('utf8') ?? null })),
      );
      assert.deepEqual(
        got,
        expected.records.map((r) => ({ key: r.key ?? null, value: r.value ?? null })),
      );
    });
  }
});
