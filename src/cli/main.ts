#!/usr/bin/env node
/**
 * The `vltava` command. One file per subcommand under commands/; this file only wires them into
 * commander and turns errors into a message and an exit code (no stack traces for user errors).
 */
import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import { VltavaError } from '../common/errors.js';
import { registerServerCommands } from './commands/server-start.js';

// commander is CommonJS: a plain require skips the ESM loader's scan of its exports (part of
// `vltava server start`'s startup, issue 8).
const { Command, CommanderError } = createRequire(import.meta.url)('commander') as typeof Commander;

// Run when executed (bin or `node dist/src/cli/main.js`), not when imported by tests.
const invokedPath = process.argv[1] ?? '';
const invoked = /[\\/](main\.js|vltava)$/.test(invokedPath);
// `vltava server ...` loads only the server commands: the client subcommands pull in the client
// library and the native codecs, about a third of the broker's startup (issue 8: startup < 300 ms).
const serverOnly = invoked && process.argv[2] === 'server';
const [{ registerDumpLogCommand }, { registerClientCommands }] = serverOnly
  ? [{ registerDumpLogCommand: undefined }, { registerClientCommands: undefined }]
  : await Promise.all([import('./commands/dump-log.js'), import('./support/register.js')]);

export function buildProgram(): Commander.Command {
  const program = new Command();
  program
    .name('vltava')
    .description('Vltava: a Kafka-compatible event streaming platform for Node.js')
    .version(process.env.npm_package_version ?? '0.1.0', '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ vltava server start                                  # broker on localhost:9092, data in ./data
  $ vltava server start config/server.properties         # Kafka's server.properties works as-is
  $ vltava server start --override log.dirs=/var/lib/vltava --override num.partitions=3
`,
    );
  registerServerCommands(program);
  registerDumpLogCommand?.(program);
  registerClientCommands?.(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof VltavaError) {
      process.stderr.write(`vltava: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`vltava: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

if (invoked) {
  main(process.argv).then((code) => {
    // Long-running commands (server start) keep the loop alive themselves and exit on signals.
    if (code !== 0) process.exitCode = code;
  });
}
