/**
 * Registers the client subcommands (topics, produce, consume, groups, configs, cluster, perf) on
 * the `vltava` program, so main.ts needs one line for all of them.
 */
import type { Command } from 'commander';
import { registerClusterCommand } from '../commands/cluster.js';
import { registerConfigsCommand } from '../commands/configs.js';
import { registerConsumeCommand } from '../commands/consume.js';
import { registerGroupsCommand } from '../commands/groups.js';
import { registerPerfCommand } from '../commands/perf.js';
import { registerProduceCommand } from '../commands/produce.js';
import { registerTopicsCommand } from '../commands/topics.js';
import { finishCommands } from './command.js';

export function registerClientCommands(program: Command): void {
  for (const cmd of [
    registerTopicsCommand(program),
    registerProduceCommand(program),
    registerConsumeCommand(program),
    registerGroupsCommand(program),
    registerConfigsCommand(program),
    registerClusterCommand(program),
    registerPerfCommand(program),
  ])
    finishCommands(cmd);
}
