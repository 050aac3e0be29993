/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`) into top functions by self time, so the
 * docs can carry the profile as a table instead of a multi-megabyte artifact.
 */
import { readFile } from 'node:fs/promises';
import type { Row } from './report.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  const i = url.indexOf('/dist/');
  if (i >= 0) return url.slice(i + 6);
  const n = url.indexOf('node_modules/');
  if (n >= 0) return url.slice(n);
  return url.replace(/^file:\/\//, '');
}

/** Top `limit` functions by self time; time per sample comes from the profile's own deltas. */
export async function summariseProfile(path: string, limit = 20): Promise<{ totalMs: number; rows: Row[] }> {
  const p = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!);
    const dt = p.timeDeltas[i + 1] ?? 0; // a sample's time is the gap to the next one
    if (!node) continue;
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'}\t${f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : ''}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
    totalUs += dt;
  }
  const rows = [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, us]) => {
      const [fn, where] = key.split('\t') as [string, string];
      return {
        function: fn,
        where: where || '(native/VM)',
        'self ms': us / 1000,
        'self %': +((100 * us) / totalUs).toFixed(1),
      };
    });
  return { totalMs: totalUs / 1000, rows };
}
