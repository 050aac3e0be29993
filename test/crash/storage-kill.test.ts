/**
 * Crash test: a child appending with flush.messages=1 is killed with SIGKILL after a random
 * number of acknowledgements (so the kill lands at an arbitrary point of its write/fsync cycle).
 * After each kill the log is reopened: every acknowledged batch must be there with its offset and
 * content, offsets must be contiguous, and every batch must pass its CRC.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Log } from '../../src/storage/log/log.js';
import { readAll, withTempDir } from '../support/storage-batches.js';

const child = join(dirname(fileURLToPath(import.meta.url)), 'storage-append-child.js');
const ROUNDS = 20;

/** Runs one child until `killAfter` acks arrive, kills it, and returns the acks it printed. */
async function runRound(dir: string, round: number, killAfter: number): Promise<Map<number, string>> {
  const proc: ChildProcess = spawn(process.execPath, [child, dir, String(round)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acks = new Map<number, string>();
  const exited = once(proc, 'exit');
  const lines = createInterface({ input: proc.stdout! });
  let killed = false;
  for await (const line of lines) {
    const [kind, offset, key] = line.split(' ');
    if (kind === 'ack') acks.set(Number(offset), key!);
    if (!killed && acks.size >= killAfter) {
      proc.kill('SIGKILL');
      killed = true;
    }
  }
  await exited;
  assert.ok(killed, 'child exited before it was killed');
  return acks;
}

it(`acknowledged appends survive SIGKILL (${ROUNDS} rounds)`, { timeout: 60_000 }, () =>
  withTempDir(async (dir) => {
    const acked = new Map<number, string>();
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return 1 + (seed % n);
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [o, k] of await runRound(dir, round, rand(40))) acked.set(o, k);
      const log = await Log.open({
        dir,
        topicPartition: { topic: 't', partition: 0 },
        config: { segmentBytes: 64 * 1024 },
      });
      const records = await readAll(log); // decoding checks every batch's CRC
      assert.deepEqual(
        records.map((r) => r.offset),
        Array.from({ length: log.logEndOffset }, (_, i) => i),
        'offsets are contiguous',
      );
      const byOffset = new Map(records.map((r) => [r.offset, r.key]));
      for (const [o, k] of acked) assert.equal(byOffset.get(o), k, `acknowledged offset ${o} (round ${round})`);
      await log.close();
    }
  }),
);
