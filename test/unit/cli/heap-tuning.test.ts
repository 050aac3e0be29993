import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heapTuningFlags } from '../../../src/cli/support/heap-tuning.js';

describe('heapTuningFlags (the broker process young-generation policy)', () => {
  it('keeps the young generation at its initial size by default', () => {
    assert.deepEqual(heapTuningFlags([], ''), ['--semi-space-growth-factor=1']);
    assert.deepEqual(heapTuningFlags(['--enable-source-maps'], '--max-old-space-size=4096'), [
      '--semi-space-growth-factor=1',
    ]);
  });

  it("leaves the heap alone when the user chose semi-space flags in node's arguments", () => {
    assert.deepEqual(heapTuningFlags(['--max-semi-space-size=32'], ''), []);
    assert.deepEqual(heapTuningFlags(['--min_semi_space_size=4'], ''), []);
    assert.deepEqual(heapTuningFlags(['--semi-space-growth-factor=2'], ''), []);
  });

  it('leaves the heap alone when NODE_OPTIONS sets the semi-space size', () => {
    assert.deepEqual(heapTuningFlags([], '--max-old-space-size=512 --max-semi-space-size=16'), []);
  });
});
