/**
 * The wire e2e load generator in a process of its own (see wireE2eInChild): a fresh Node with the
 * same young-generation policy as `vltava server start` (src/cli/support/heap-tuning.ts), so that
 * neither the benches that ran before it in the parent nor their grown heap add to its tail.
 * Usage: node --semi-space-growth-factor=1 dist/bench/lib/e2e-child.js PORT TOPIC RATE BYTES SECONDS WARMUP
 * Prints the E2eResult as one JSON line.
 */
import { wireE2e } from './wire-clients.js';

const [port, topic, rate, bytes, seconds, warmup] = process.argv.slice(2);
const result = await wireE2e(Number(port), topic!, Number(rate), Number(bytes), Number(seconds), Number(warmup));
process.stdout.write(`${JSON.stringify(result)}\n`);
