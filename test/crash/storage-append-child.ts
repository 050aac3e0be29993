/**
 * Child process for the storage crash test: opens the log in `argv[2]` (recovering it as after an
 * unclean shutdown), then appends single-record batches with flush.messages=1, a few in flight at
 * once, and prints `ack <offset> <key>` for each acknowledged append. The parent kills it with
 * SIGKILL at an arbitrary point.
 */
import { encodeRecordBatch } from '../../src/protocol/records/encode.js';
import { Log } from '../../src/storage/log/log.js';

const dir = process.argv[2]!;
const round = process.argv[3]!;
const log = await Log.open({
  dir,
  topicPartition: { topic: 't', partition: 0 },
  config: { flushMessages: 1, segmentBytes: 64 * 1024 },
});
process.stdout.write(`ready ${log.logEndOffset}\n`);
let i = 0;
const inFlight = 4;
const one = async (): Promise<void> => {
  for (;;) {
    const key = `r${round}-${i++}`;
    const info = await log.append(
      encodeRecordBatch({ records: [{ key: Buffer.from(key), value: Buffer.alloc(200 + (i % 700), key.length) }] }),
    );
    process.stdout.write(`ack ${info.firstOffset} ${key}\n`);
  }
};
await Promise.all(Array.from({ length: inFlight }, one));
