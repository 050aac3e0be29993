/**
 * `meta.properties` at the root of each log dir: Java properties text identifying the broker and
 * cluster the dir belongs to. Kafka writes `version=0` with `broker.id` and `cluster.id` (ZooKeeper
 * mode, which Vltava follows) or `version=1` with `node.id`, `cluster.id`, `directory.id` (KRaft).
 * Both are read; Vltava writes version 0 plus `directory.id` when given.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from './checkpoint-file.js';

export const META_PROPERTIES_FILE = 'meta.properties';

export type MetaProperties = Record<string, string>;

export function parseProperties(text: string): MetaProperties {
  const out: MetaProperties = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export async function readMetaProperties(logDir: string): Promise<MetaProperties | null> {
  try {
    return parseProperties(await readFile(join(logDir, META_PROPERTIES_FILE), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export async function writeMetaProperties(logDir: string, props: MetaProperties, nowMs = Date.now()): Promise<void> {
  const path = join(logDir, META_PROPERTIES_FILE);
  const body = [`#`, `#${new Date(nowMs).toString()}`, ...Object.entries(props).map(([k, v]) => `${k}=${v}`)].join('\n');
  const fh = await open(`${path}.tmp`, 'w');
  try {
    await fh.writeFile(`${body}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(`${path}.tmp`, path);
  await fsyncDir(logDir);
}
