/**
 * The machine's own scheduling noise, measured beside a latency run: a separate idle Node process
 * asks for a 1 ms timer in a loop and records how late each one fires (as jHiccup does for the
 * JVM). On a shared 2-core VM, these hiccups bound the latency any process here can promise; a
 * broker's p99 close to the probe's p99 is the machine, not the broker.
 */
import { spawn } from 'node:child_process';

export interface HiccupSummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

const PROBE = `
const lateness = [];
const end = performance.now() + Number(process.argv[1]) * 1000;
let due = performance.now() + 1;
const tick = () => {
  const now = performance.now();
  lateness.push(now - due);
  if (now > end) {
    lateness.sort((a, b) => a - b);
    const q = (p) => +lateness[Math.min(lateness.length - 1, Math.floor(p * lateness.length))].toFixed(3);
    process.stdout.write(JSON.stringify({ samples: lateness.length, p50Ms: q(0.5), p99Ms: q(0.99), p999Ms: q(0.999), maxMs: q(1) }));
    return;
  }
  due = now + 1;
  setTimeout(tick, 1);
};
setTimeout(tick, 1);
`;

/** Starts the probe now; the promise resolves with its summary after `seconds`. */
export function startHiccupProbe(seconds: number): Promise<HiccupSummary | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', PROBE, String(seconds)], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 10) * 1000);
    child.on('exit', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out) as HiccupSummary);
      } catch {
        resolve(null);
      }
    });
  });
}
