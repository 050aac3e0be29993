import assert from 'node:assert/strict';
import { appendFile, open, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Log } from '../../../src/storage/log/log.js';
import { makeBatch, readAll, withTempDir } from '../../support/storage-batches.js';

const tp = { topic: 't', partition: 0 };
const config = { segmentBytes: 4000, indexIntervalBytes: 200 };

/** Writes `n` single-record batches of ~100 bytes (several segments for larger n). */
async function fill(dir: string, n: number): Promise<Log> {
  const log = await Log.open({ dir, topicPartition: tp, config });
  for (let i = 0; i < n; i++) await log.append(makeBatch([{ key: `k${i}`, value: 'v'.repeat(40 + (i % 13)) }]));
  return log;
}

async function activeLogFile(dir: string): Promise<string> {
  const logs = (await readdir(dir)).filter((f) => f.endsWith('.log')).sort();
  return join(dir, logs.at(-1)!);
}

/** Positions where batches end in a file (a valid prefix ends at one of these). */
async function batchEnds(path: string): Promise<number[]> {
  const buf = await readFile(path);
  const ends: number[] = [];
  let pos = 0;
  while (pos + 12 <= buf.length) {
    pos += 12 + buf.readInt32BE(pos + 8);
    ends.push(pos);
  }
  return ends;
}

async function reopenAndCheck(dir: string, expectRecords: number): Promise<void> {
  const log = await Log.open({ dir, topicPartition: tp, config, hadCleanShutdown: false });
  assert.equal(log.logEndOffset, expectRecords);
  const recs = await readAll(log);
  assert.deepEqual(
    recs.map((r) => r.offset),
    Array.from({ length: expectRecords }, (_, i) => i),
  );
  // The log accepts appends right after the recovered prefix.
  const info = await log.append(makeBatch([{ key: 'after' }]));
  assert.equal(info.firstOffset, expectRecords);
  assert.equal((await readAll(log, expectRecords))[0]!.key, 'after');
  await log.close();
}

describe('Log recovery', () => {
  it('truncating the active .log at a random byte recovers the longest valid prefix', () =>
    fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 120 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, frac) =>
        withTempDir(async (dir) => {
          const log = await fill(dir, n);
          await log.close();
          const path = await activeLogFile(dir);
          const size = (await stat(path)).size;
          const cut = Math.floor(size * frac);
          await truncate(path, cut);
          const ends = await batchEnds(path);
          const activeBase = Number(path.slice(-24, -4));
          const kept = [0, ...ends].filter((e) => e <= cut).length - 1;
          await reopenAndCheck(dir, activeBase + kept);
        }),
      ),
      { numRuns: 15 },
    ));

  it('a flipped byte inside the last batch drops that batch only', () =>
    withTempDir(async (dir) => {
      const log = await fill(dir, 30);
      await log.close();
      const path = await activeLogFile(dir);
      const ends = await batchEnds(path);
      const lastStart = ends.length > 1 ? ends.at(-2)! : 0;
      const fh = await open(path, 'r+');
      const at = lastStart + 30 + Math.floor((ends.at(-1)! - lastStart - 30) / 2);
      const b = Buffer.alloc(1);
      await fh.read(b, 0, 1, at);
      b[0] = b[0]! ^ 0xff;
      await fh.write(b, 0, 1, at);
      await fh.close();
      await reopenAndCheck(dir, 29);
    }));

  it('garbage appended after the last batch (a torn write that grew the file) is cut', () =>
    withTempDir(async (dir) => {
      const log = await fill(dir, 10);
      await log.close();
      await appendFile(
        await activeLogFile(dir),
        Buffer.from('00000000000000000000000000000000000000000000000000000000000000000000000000000000'),
      );
      await reopenAndCheck(dir, 10);
    }));

  it('deleted .index and .timeindex files are rebuilt, even after a clean shutdown', () =>
    withTempDir(async (dir) => {
      const log = await fill(dir, 150);
      const rp = log.recoveryPoint;
      await log.close();
      for (const f of await readdir(dir)) if (f.endsWith('index')) await rm(join(dir, f));
      const reopened = await Log.open({ dir, topicPartition: tp, config, hadCleanShutdown: true, recoveryPoint: rp });
      assert.equal(reopened.logEndOffset, 150);
      for (const s of reopened.segments.slice(0, -1)) assert.ok(s.offsetIndex.entries > 0);
      assert.equal((await readAll(reopened, 77))[0]!.offset, 77);
      await reopened.close();
      await reopenAndCheck(dir, 150);
    }));

  it('garbled .index files are detected and rebuilt', () =>
    fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), (seed) =>
        withTempDir(async (dir) => {
          const log = await fill(dir, 150);
          const rp = log.recoveryPoint;
          await log.close();
          let x = seed;
          const rand = () => {
            x = (x * 1103515245 + 12345) % 2147483648;
            return x / 2147483648;
          };
          for (const f of await readdir(dir)) {
            if (!f.endsWith('.index')) continue;
            const p = join(dir, f);
            const buf = await readFile(p);
            if (buf.length === 0) continue;
            for (let i = 0; i < 1 + Math.floor(rand() * 4); i++)
              buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
            await writeFile(p, buf);
          }
          const reopened = await Log.open({
            dir,
            topicPartition: tp,
            config,
            hadCleanShutdown: true,
            recoveryPoint: rp,
          });
          const recs = await readAll(reopened);
          assert.deepEqual(
            recs.map((r) => r.offset),
            Array.from({ length: 150 }, (_, i) => i),
          );
          for (let o = 0; o < 150; o += 7) assert.equal((await readAll(reopened, o))[0]!.offset, o);
          await reopened.close();
        }),
      ),
      { numRuns: 10 },
    ));

  it('an unclean shutdown leaves preallocated index files that recovery rebuilds', () =>
    withTempDir(async (dir) => {
      const log = await fill(dir, 60);
      await log.flush();
      // Force the active index to disk in its preallocated (untrimmed) form, then "crash".
      await log.activeSegment.flushIndexes();
      await log.closeUnclean();
      const idx = (await readdir(dir))
        .filter((f) => f.endsWith('.index'))
        .sort()
        .at(-1)!;
      assert.ok((await stat(join(dir, idx))).size >= 1024 * 1024);
      await reopenAndCheck(dir, 60);
    }));
});
