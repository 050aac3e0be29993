/**
 * `vltava server start [server.properties] [--override key=value]...`
 * Reads Kafka's broker config names with Kafka's defaults (overrides win over the file), starts
 * the broker, and shuts it down cleanly on SIGINT/SIGTERM (a second signal exits at once).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { BrokerConfig } from '../../common/config/broker-config.js';
import { parseOverride, parseProperties } from '../../common/config/properties.js';
import { ConfigError } from '../../common/errors.js';
import { createLogger, type Logger } from '../../common/logger.js';
import { collect } from '../support/collect.js';
import { tuneHeapForBroker } from '../support/heap-tuning.js';

export interface ServerStartOptions {
  override: string[];
  logLevel?: string;
  logFormat?: 'json' | 'pretty' | 'auto';
}

/** Loads file + overrides into a BrokerConfig; every bad key is reported at once. */
export async function loadBrokerConfig(file: string | undefined, overrides: string[], logger?: Logger): Promise<BrokerConfig> {
  const entries: Array<{ key: string; value: string; line?: number; source?: string }> = [];
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'latin1'); // java.util.Properties#load(InputStream) reads ISO-8859-1
    } catch (err) {
      throw new ConfigError('ERR_CONFIG_FILE', `cannot read config file ${file}: ${(err as Error).message}`, undefined, { cause: err });
    }
    for (const e of parseProperties(text, file)) entries.push({ ...e, source: file });
  }
  for (const o of overrides) entries.push({ ...parseOverride(o), source: '--override' });
  return BrokerConfig.from(entries, {
    onIgnored: (name) => logger?.warn({ config: name }, 'configuration accepted but not used by Vltava'),
  });
}

export function registerServerCommands(program: Command): void {
  const server = program
    .command('server')
    .description('run a broker')
    .addHelpText(
      'after',
      `
Examples:
  $ vltava server start                         # foreground broker on :9092, data in ./data
  $ vltava server start server.properties -o log.dirs=/data/vltava
`,
    );
  server
    .command('start')
    .description('start a broker in the foreground')
    .argument('[server.properties]', "a Kafka-style broker config file (Kafka's key names)")
    .option('-o, --override <key=value>', 'set a broker config, overriding the file (repeatable)', collect, [])
    .option('--log-level <level>', 'trace, debug, info, warn, error, fatal or silent (default: $VLTAVA_LOG_LEVEL or info)')
    .option('--log-format <format>', 'json, pretty or auto (pretty on a terminal)', 'auto')
    .addHelpText(
      'after',
      `
With no file it serves PLAINTEXT on port 9092 (advertised as localhost) and stores data in ./data.

Examples:
  $ vltava server start
  $ vltava server start ./server.properties
  $ vltava server start --override listeners=PLAINTEXT://:19092 --override log.dirs=/tmp/vltava
  $ vltava server start -o broker.id=1 -o auto.create.topics.enable=false --log-format json
`,
    )
    .action(async (file: string | undefined, opts: ServerStartOptions) => {
      await runServer(file, opts);
    });
}

export async function runServer(file: string | undefined, opts: ServerStartOptions): Promise<void> {
  tuneHeapForBroker();
  // The broker's modules (most of startup) start loading now, while the config is read.
  const brokerModule = import('../../broker/broker.js');
  brokerModule.catch(() => undefined); // a bad config is reported first; the await below rethrows
  const logger = createLogger({ name: 'vltava', level: opts.logLevel as never, format: opts.logFormat });
  const config = await loadBrokerConfig(file, opts.override, logger);
  const { startBroker } = await brokerModule;
  const broker = await startBroker({ config, logger });
  logger.info({ nodeId: broker.nodeId, clusterId: broker.clusterId, listeners: broker.listeners.map((l) => `${l.name}://${l.host}:${l.port}`), logDirs: config.logDirs }, 'broker started');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without a clean shutdown');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    broker.close().then(
      () => {
        logger.info('shutdown complete');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
