import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runDumpLog } from '../../../src/cli/commands/dump-log.js';
import { Log } from '../../../src/storage/log/log.js';
import { makeBatch, withTempDir } from '../../support/storage-batches.js';

const run = promisify(execFile);

describe('vltava dump-log', () => {
  it('prints batches and records like kafka-dump-log --print-data-log', () =>
    withTempDir(async (dir) => {
      const log = await Log.open({
        dir,
        topicPartition: { topic: 't', partition: 0 },
        config: { indexIntervalBytes: 1 },
      });
      await log.append(
        makeBatch([
          { key: 'k1', value: 'hello', timestamp: 1000 },
          { key: null, value: 'world', timestamp: 1001 },
        ]),
        { leaderEpoch: 2 },
      );
      await log.append(makeBatch([{ key: 'k2', value: null, timestamp: 1002 }]), { leaderEpoch: 2 });
      await log.close();
      const seg = join(dir, '00000000000000000000.log');
      const lines: string[] = [];
      assert.equal(await runDumpLog([seg], { printDataLog: true }, (l) => lines.push(l)), 0);
      assert.equal(lines[0], `Dumping ${seg}`);
      assert.equal(lines[1], 'Log starting offset: 0');
      assert.match(
        lines[2]!,
        /^baseOffset: 0 lastOffset: 1 count: 2 .* partitionLeaderEpoch: 2 isTransactional: false isControl: false .* position: 0 CreateTime: 1001 size: \d+ magic: 2 compresscodec: none crc: \d+ isvalid: true$/,
      );
      assert.equal(
        lines[3],
        '| offset: 0 CreateTime: 1000 keySize: 2 valueSize: 5 sequence: -1 headerKeys: [] key: k1 payload: hello',
      );
      assert.equal(
        lines[4],
        '| offset: 1 CreateTime: 1001 keySize: -1 valueSize: 5 sequence: -1 headerKeys: [] key: null payload: world',
      );
      assert.match(lines[5]!, /^baseOffset: 2 lastOffset: 2 count: 1 /);
      assert.equal(
        lines[6],
        '| offset: 2 CreateTime: 1002 keySize: 2 valueSize: -1 sequence: -1 headerKeys: [] key: k2 payload: null',
      );

      const idx: string[] = [];
      await runDumpLog([join(dir, '00000000000000000000.index')], {}, (l) => idx.push(l));
      assert.match(idx[1]!, /^offset: 2 position: \d+$/);

      // Trailing garbage is reported with a non-zero exit code; the valid batches still print.
      await appendFile(seg, Buffer.alloc(30, 7));
      const bad: string[] = [];
      assert.equal(await runDumpLog([seg], {}, (l) => bad.push(l)), 1);
      assert.equal(bad.filter((l) => l.startsWith('baseOffset')).length, 2);
      assert.match(bad.at(-1)!, /^Found 30 invalid bytes at the end of 00000000000000000000\.log/);
    }));

  it('is wired into the vltava CLI', () =>
    withTempDir(async (dir) => {
      const log = await Log.open({ dir, topicPartition: { topic: 't', partition: 0 } });
      await log.append(makeBatch([{ key: 'a', value: 'payload-1' }]));
      await log.close();
      const { stdout } = await run(process.execPath, [
        'dist/src/cli/main.js',
        'dump-log',
        '--print-data-log',
        join(dir, '00000000000000000000.log'),
      ]);
      assert.match(stdout, /key: a payload: payload-1/);
    }));
});
