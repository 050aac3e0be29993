/**
 * `vltava dump-log [--print-data-log] [--deep-iteration] <file>...` — prints the batches (and
 * with --deep-iteration/--print-data-log, the records) of segment files like Kafka's
 * kafka-dump-log.sh, plus `.index` / `.timeindex` entries. Works on Kafka's own log dirs too.
 * Invalid trailing bytes (a torn write) are reported, not fatal. Reads files with async I/O only.
 */
import { open, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { CONTROL_FLAG_MASK, DELETE_HORIZON_FLAG_MASK, TIMESTAMP_TYPE_MASK, TRANSACTIONAL_FLAG_MASK } from '../../protocol/records/batch-header.js';
import { decodeRecordBatch } from '../../protocol/records/decode.js';
import { scanFile } from '../../storage/segment/batch-scan.js';
import { parseSegmentFileName } from '../../storage/segment/file-names.js';

export interface DumpLogOptions {
  printDataLog?: boolean;
  deepIteration?: boolean;
}

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

const show = (b: Buffer | null): string => (b === null ? 'null' : b.toString('utf8'));

async function dumpSegment(path: string, o: DumpLogOptions, out: (line: string) => void): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const deep = o.deepIteration === true || o.printDataLog === true;
    const start = parseSegmentFileName(basename(path))?.baseOffset;
    if (start !== undefined) out(`Log starting offset: ${start}`);
    for await (const b of scanFile(fh, 0, size, { verifyCrc: true, withBytes: true })) {
      if ('reason' in b) {
        out(`Found ${size - b.position} invalid bytes at the end of ${basename(path)} (${b.reason})`);
        return false;
      }
      const bytes = b.bytes!;
      const s = decodeRecordBatch(bytes, 0, { verifyCrc: false });
      const attrs = b.attributes;
      const tsType = (attrs & TIMESTAMP_TYPE_MASK) !== 0 ? 'LogAppendTime' : 'CreateTime';
      const hasHorizon = (attrs & DELETE_HORIZON_FLAG_MASK) !== 0;
      const lastSequence = s.baseSequence < 0 ? -1 : s.baseSequence + s.lastOffsetDelta;
      out(
        `baseOffset: ${b.baseOffset} lastOffset: ${b.lastOffset} count: ${b.recordCount} baseSequence: ${s.baseSequence} lastSequence: ${lastSequence} ` +
          `producerId: ${s.producerId} producerEpoch: ${s.producerEpoch} partitionLeaderEpoch: ${b.partitionLeaderEpoch} ` +
          `isTransactional: ${(attrs & TRANSACTIONAL_FLAG_MASK) !== 0} isControl: ${(attrs & CONTROL_FLAG_MASK) !== 0} ` +
          `deleteHorizonMs: ${hasHorizon ? `OptionalLong[${s.baseTimestamp}]` : 'OptionalLong.empty'} position: ${b.position} ` +
          `${tsType}: ${b.maxTimestamp} size: ${b.size} magic: 2 compresscodec: ${CODECS[attrs & 7] ?? 'unknown'} crc: ${s.crc} isvalid: true`,
      );
      if (!deep) continue;
      for (const r of s.records) {
        let line = `| offset: ${r.offset} ${tsType}: ${r.timestamp} keySize: ${r.key?.length ?? -1} valueSize: ${r.value?.length ?? -1}`;
        line += ` sequence: ${s.baseSequence < 0 ? -1 : s.baseSequence + r.offsetDelta} headerKeys: [${r.headers.map((h) => h.key).join(',')}]`;
        if (o.printDataLog) line += ` key: ${show(r.key)} payload: ${show(r.value)}`;
        out(line);
      }
    }
    return true;
  } finally {
    await fh.close();
  }
}

async function dumpIndex(path: string, kind: 'index' | 'timeindex', baseOffset: number, out: (line: string) => void): Promise<void> {
  const buf = await readFile(path);
  const entrySize = kind === 'index' ? 8 : 12;
  for (let at = 0; at + entrySize <= buf.length; at += entrySize) {
    if (kind === 'index') {
      const rel = buf.readInt32BE(at);
      const pos = buf.readInt32BE(at + 4);
      if (at > 0 && rel === 0 && pos === 0) break; // preallocated tail
      out(`offset: ${baseOffset + rel} position: ${pos}`);
    } else {
      const ts = buf.readBigInt64BE(at);
      const rel = buf.readInt32BE(at + 8);
      if (at > 0 && ts === 0n && rel === 0) break;
      out(`timestamp: ${ts} offset: ${baseOffset + rel}`);
    }
  }
}

/** Dumps each file; returns an exit code (1 when a file has invalid bytes or cannot be read). */
export async function runDumpLog(files: string[], options: DumpLogOptions = {}, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  let code = 0;
  for (const path of files) {
    out(`Dumping ${path}`);
    const f = parseSegmentFileName(basename(path));
    try {
      if (f !== null && f.kind !== 'log') await dumpIndex(path, f.kind, f.baseOffset, out);
      else if (!(await dumpSegment(path, options, out))) code = 1;
    } catch (err) {
      out(`Could not dump ${path}: ${(err as Error).message}`);
      code = 1;
    }
  }
  return code;
}

export function registerDumpLogCommand(program: Command): void {
  program
    .command('dump-log')
    .description("print the batches and records of segment files (.log, .index, .timeindex), like Kafka's kafka-dump-log")
    .argument('<files...>', 'segment files, e.g. data/my-topic-0/00000000000000000000.log')
    .option('--print-data-log', 'print keys and values (implies --deep-iteration)')
    .option('--deep-iteration', 'print every record, not only batch headers')
    .addHelpText(
      'after',
      `
Examples:
  $ vltava dump-log data/orders-0/00000000000000000000.log
  $ vltava dump-log --print-data-log data/orders-0/00000000000000000000.log
  $ vltava dump-log data/orders-0/00000000000000000000.index`,
    )
    .action(async (files: string[], opts: { printDataLog?: boolean; deepIteration?: boolean }) => {
      const code = await runDumpLog(files, opts);
      if (code !== 0) process.exitCode = code;
    });
}
