/**
 * Glue between commander and the client subcommands: every action runs through `action()`, which
 * turns any failure into one "vltava: <reason>" line on stderr and an exit code (errors.ts), and
 * `finishCommands()` makes commander's own usage errors look the same (one line, exit code 2)
 * instead of an error plus a help hint on a second line.
 */
import { type Command, CommanderError } from 'commander';
import { describeError, ExitCode } from './errors.js';

export type Action = (...args: never[]) => Promise<void>;

/** Wraps a command action: one-line error reports, exit codes, and no hang after the work is done. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<unknown>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    let code: number = ExitCode.OK;
    try {
      const r = await fn(...args);
      code = typeof r === 'number' ? r : ExitCode.OK;
    } catch (err) {
      const { message, exitCode } = describeError(err);
      if (process.env.VLTAVA_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
      process.stderr.write(`vltava: ${message}\n`);
      code = exitCode;
    }
    if (code !== ExitCode.OK) process.exitCode = code;
    // Clients are closed by the commands; this unref'd timer only fires if a stray socket or
    // timer would keep a finished command alive, so a script never hangs on us.
    setTimeout(() => process.exit(process.exitCode ?? code), 2_000).unref();
  };
}

/** Examples block for addHelpText('after'): every subcommand shows at least one. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => (l.startsWith('#') ? `  ${l}` : `  $ ${l}`)).join('\n')}\n`;
}

/**
 * Applies CLI-wide behaviour to a command tree: usage errors are one line naming the command and
 * exit with 2; `--help` exits 0. Call once per top-level command after its subcommands exist.
 */
export function finishCommands(cmd: Command): void {
  const path = commandPath(cmd);
  cmd.showHelpAfterError(false);
  cmd.configureOutput({
    outputError: (str, write) =>
      write(`vltava ${path}: ${str.replace(/^error:\s*/i, '').trim()} (see 'vltava ${path} --help')\n`),
  });
  cmd.exitOverride((err: CommanderError) => {
    // Help and version exit 0; everything else commander reports is a usage error.
    if (err.exitCode === 0) throw err;
    throw new CommanderError(ExitCode.USAGE, err.code, err.message);
  });
  for (const sub of cmd.commands) finishCommands(sub);
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export { collect } from './collect.js';
