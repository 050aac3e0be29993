/**
 * `vltava perf produce|consume` — the perf-test tools; one file per direction, shared
 * measurement in perf-stats.ts.
 */
import type { Command } from 'commander';
import { examples } from '../support/command.js';
import { registerPerfConsume } from './perf-consume.js';
import { registerPerfProduce } from './perf-produce.js';

export function registerPerfCommand(program: Command): Command {
  const perf = program
    .command('perf')
    .description('measure producer and consumer throughput and latency (kafka-*-perf-test)')
    .addHelpText(
      'after',
      examples(
        'vltava perf produce --topic perf --num-records 100000 --record-size 100 --throughput -1',
        'vltava perf consume --topic perf --messages 100000',
      ),
    );
  registerPerfProduce(perf);
  registerPerfConsume(perf);
  return perf;
}
