/**
 * `vltava produce` — kafka-console-producer.sh: one record per input line (stdin or --file),
 * with Kafka's LineMessageReader properties (parse.key, key.separator, parse.headers,
 * headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error).
 *
 * Every line gets its own delivery promise; a line that cannot be parsed or delivered is
 * reported with its line number on stderr while the rest carry on, and the exit code is 1 if
 * any line failed — so a script knows, and a person knows which lines to resend.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { type Command, Option } from 'commander';
import { type Compression, Producer, type ProducerRecord } from '../../client/producer/producer.js';
import { COMPRESSION_CODECS, parseAcks, producerOptionsFrom, propertiesFrom } from '../support/client-properties.js';
import { action, collect, examples } from '../support/command.js';
import {
  addConnectionOptions,
  type ConnectionFlags,
  parsePositiveInt,
  resolveContext,
  withTimeout,
} from '../support/context.js';
import { CliError, describeError, ExitCode, usageError } from '../support/errors.js';

interface ProduceFlags extends ConnectionFlags {
  topic: string;
  file?: string;
  property?: string[];
  producerProperty?: string[];
  producerConfig?: string;
  partition?: string;
  compressionCodec?: string | true;
  requestRequiredAcks?: string;
  acks?: string;
  sync?: boolean;
}

export interface LineReaderConfig {
  parseKey: boolean;
  keySeparator: string;
  parseHeaders: boolean;
  headersDelimiter: string;
  headersSeparator: string;
  headersKeySeparator: string;
  nullMarker: string | undefined;
  ignoreError: boolean;
}

export interface ParsedLine {
  key: string | null;
  value: string | null;
  headers: Array<{ key: string; value: string | null }>;
}

/** Command lines cannot easily carry a tab, so "\t" (backslash, t) in a separator means a tab. */
function unescapeSeparator(s: string): string {
  return s.replace(/\\([tnr\\])/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[c]!);
}

export function lineReaderConfig(props: Map<string, string>): LineReaderConfig {
  const known = [
    'parse.key',
    'key.separator',
    'parse.headers',
    'headers.delimiter',
    'headers.separator',
    'headers.key.separator',
    'null.marker',
    'ignore.error',
  ];
  for (const k of props.keys())
    if (!known.includes(k))
      throw usageError(
        `unknown --property '${k}' (known: ${known.join(', ')}; producer configs go in --producer-property)`,
      );
  const flag = (k: string) => props.get(k)?.trim().toLowerCase() === 'true';
  const sep = (k: string, d: string) => {
    const v = unescapeSeparator(props.get(k) ?? d);
    if (v === '') throw usageError(`--property ${k} must not be empty`);
    return v;
  };
  const c: LineReaderConfig = {
    parseKey: flag('parse.key'),
    keySeparator: sep('key.separator', '\t'),
    parseHeaders: flag('parse.headers'),
    headersDelimiter: sep('headers.delimiter', '\t'),
    headersSeparator: sep('headers.separator', ','),
    headersKeySeparator: sep('headers.key.separator', ':'),
    nullMarker: props.get('null.marker'),
    ignoreError: flag('ignore.error'),
  };
  // Same check as Kafka: ambiguous separators would make lines unparseable.
  if (c.parseHeaders && c.headersDelimiter === c.headersSeparator)
    throw usageError('headers.delimiter and headers.separator must differ');
  if (c.parseHeaders && c.headersKeySeparator === c.headersSeparator)
    throw usageError('headers.key.separator and headers.separator must differ');
  return c;
}

/** Kafka's LineMessageReader: [headers<delimiter>][key<separator>]value. Throws with the reason. */
export function parseLine(line: string, c: LineReaderConfig): ParsedLine {
  const orNull = (s: string) => (c.nullMarker !== undefined && s === c.nullMarker ? null : s);
  let rest = line;
  const headers: ParsedLine['headers'] = [];
  if (c.parseHeaders) {
    const at = rest.indexOf(c.headersDelimiter);
    if (at < 0) {
      if (!c.ignoreError) throw new Error(`no headers delimiter ${JSON.stringify(c.headersDelimiter)} found`);
    } else {
      const text = rest.slice(0, at);
      rest = rest.slice(at + c.headersDelimiter.length);
      if (text !== '') {
        for (const pair of text.split(c.headersSeparator)) {
          const k = pair.indexOf(c.headersKeySeparator);
          if (k < 0) {
            if (!c.ignoreError)
              throw new Error(`no header key separator ${JSON.stringify(c.headersKeySeparator)} in header '${pair}'`);
            headers.push({ key: pair, value: null });
            continue;
          }
          const key = pair.slice(0, k);
          if (c.nullMarker !== undefined && key === c.nullMarker)
            throw new Error('a header key must not be the null marker');
          headers.push({ key, value: orNull(pair.slice(k + c.headersKeySeparator.length)) });
        }
      }
    }
  }
  let key: string | null = null;
  if (c.parseKey) {
    const at = rest.indexOf(c.keySeparator);
    if (at < 0) {
      if (!c.ignoreError) throw new Error(`no key separator ${JSON.stringify(c.keySeparator)} found`);
    } else {
      key = orNull(rest.slice(0, at));
      rest = rest.slice(at + c.keySeparator.length);
    }
  }
  return { key, value: orNull(rest), headers };
}

function compressionOf(flags: ProduceFlags): Compression | undefined {
  const v = flags.compressionCodec;
  if (v === undefined) return undefined;
  // Kafka's console producer: the flag alone means gzip.
  if (v === true) return 'gzip';
  const codec = v.trim().toLowerCase() as Compression;
  if (!COMPRESSION_CODECS.includes(codec))
    throw usageError(`--compression-codec must be one of ${COMPRESSION_CODECS.join(', ')}, got '${v}'`);
  return codec;
}

async function produce(flags: ProduceFlags): Promise<number> {
  const reader = lineReaderConfig(propertiesFrom(flags.property ?? [], '--property'));
  const producerProps = propertiesFrom(flags.producerProperty ?? [], '--producer-property');
  const partition = flags.partition === undefined ? undefined : parsePositiveInt(flags.partition, '--partition', 0);
  const compression = compressionOf(flags);
  const acksFlag = flags.requestRequiredAcks ?? flags.acks;
  const ctx = await resolveContext(flags, { properties: producerProps, propertiesFile: flags.producerConfig });
  const options = producerOptionsFrom(ctx.properties, ctx.clientOptions);
  // Kafka's console producer defaults to acks=all; an explicit flag beats the properties.
  if (acksFlag !== undefined) options.acks = parseAcks(acksFlag);
  if (compression !== undefined) options.compression = compression;
  const producer = new Producer<string | null, string | null>({
    ...options,
    keySerializer: (s) => (s === null ? null : Buffer.from(s, 'utf8')),
    valueSerializer: (s) => (s === null ? null : Buffer.from(s, 'utf8')),
  });
  const out = ctx.out;
  let failed = 0;
  let sent = 0;
  let lineNo = 0;
  const fail = (line: number, reason: string) => {
    failed++;
    if (out.json) out.jsonLine({ line, error: reason });
    process.stderr.write(`vltava: line ${line}: ${reason}\n`);
  };
  let input: Readable | undefined;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    input?.destroy();
  };
  process.once('SIGINT', onSigint);
  try {
    await withTimeout(ctx, 'connecting', producer.connect());
    const info = (
      await withTimeout(
        ctx,
        `looking up topic '${flags.topic}'`,
        producer.cluster.ensureTopics([flags.topic], {
          autoCreate: producer.cluster.allowAutoTopicCreation,
          timeoutMs: ctx.timeoutMs,
        }),
      )
    ).get(flags.topic);
    if (!info) throw new CliError(`topic '${flags.topic}' does not exist`);
    if (partition !== undefined && partition >= info.partitions.length)
      throw usageError(`--partition ${partition}: topic '${flags.topic}' has ${info.partitions.length} partitions`);
    input = flags.file === undefined ? process.stdin : createReadStream(flags.file);
    const fileError = new Promise<never>((_, reject) => input!.once('error', reject));
    fileError.catch(() => {});
    const prompt = flags.file === undefined && process.stdin.isTTY === true;
    const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    const pending = new Set<Promise<void>>();
    if (prompt) process.stderr.write('>');
    const lines = (async () => {
      for await (const text of rl) {
        const n = ++lineNo;
        if (prompt) process.stderr.write('>');
        let parsed: ParsedLine;
        try {
          parsed = parseLine(text, reader);
        } catch (err) {
          fail(n, `${(err as Error).message}: '${text}'`);
          continue;
        }
        const record: ProducerRecord<string | null, string | null> = {
          topic: flags.topic,
          key: parsed.key,
          value: parsed.value,
          headers: parsed.headers,
          partition,
        };
        // buffer.memory is the backpressure: stop reading while the producer's buffer is full.
        if (!producer.writable) await producer.waitForSpace();
        const delivery = producer.send(record).then(
          (md) => {
            sent++;
            if (out.json)
              out.jsonLine({
                line: n,
                topic: md.topic,
                partition: md.partition,
                offset: md.offset,
                timestamp: md.timestamp,
              });
          },
          (err) => fail(n, describeError(err).message),
        );
        if (flags.sync) await delivery;
        else {
          pending.add(delivery);
          delivery.finally(() => pending.delete(delivery));
        }
      }
    })();
    await Promise.race([lines, fileError]);
    await producer.flush();
    await Promise.all(pending);
  } finally {
    process.removeListener('SIGINT', onSigint);
    await producer.close(interrupted ? 1_000 : undefined).catch(() => {});
  }
  if (failed > 0) {
    process.stderr.write(`vltava: ${failed} of ${lineNo} lines failed; ${sent} records delivered\n`);
    return ExitCode.FAILURE;
  }
  return ExitCode.OK;
}

export function registerProduceCommand(program: Command): Command {
  const cmd = program
    .command('produce')
    .description('write records from stdin or a file, one per line (kafka-console-producer)')
    .requiredOption('--topic <name>', 'topic to write to')
    .option('--file <path>', 'read lines from this file instead of stdin')
    .option(
      '--property <key=value>',
      'line parsing: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error (repeatable)',
      collect,
    )
    .option('--reader-property <key=value>', 'same as --property', collect)
    .option('--producer-property <key=value>', 'producer config, e.g. linger.ms=0 (repeatable)', collect)
    .option('--producer.config <file>', 'producer properties file')
    .option('--partition <n>', 'write every record to this partition (default: by key, sticky when keyless)')
    .addOption(new Option('--compression-codec [codec]', `${COMPRESSION_CODECS.join(', ')} (the flag alone: gzip)`))
    .option('--request-required-acks <acks>', 'all (-1, default), 1 or 0')
    .option('--acks <acks>', 'same as --request-required-acks')
    .option('--sync', 'wait for each record to be acknowledged before reading the next line');
  addConnectionOptions(cmd)
    .addHelpText(
      'after',
      `
Lines are [headers<headers.delimiter>][key<key.separator>]value. Separators may be written as \\t.
Each failed line is reported as "vltava: line N: reason"; the exit code is 1 if any line failed.
With --output json, each delivered line prints {"line","partition","offset","timestamp"}.
${examples(
  `echo 'hello' | vltava produce --topic orders`,
  `printf 'k1:v1\\nk2:v2\\n' | vltava produce --topic orders --property parse.key=true --property key.separator=:`,
  `printf 'h1:a,h2:b\\tk1\\tv1\\n' | vltava produce --topic orders --property parse.headers=true --property parse.key=true`,
  'vltava produce --topic orders --file records.txt --compression-codec zstd --acks 1',
)}`,
    )
    .action(
      action(async (flags: ProduceFlags & { readerProperty?: string[]; 'producer.config'?: string }) => {
        // commander keeps the dot: Kafka's flag is --producer.config
        return produce({
          ...flags,
          property: [...(flags.property ?? []), ...(flags.readerProperty ?? [])],
          producerConfig: flags['producer.config'],
        });
      }),
    );
  return cmd;
}
