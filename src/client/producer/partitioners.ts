/**
 * Partitioners: which partition a record goes to when the caller did not say.
 *
 *  - Keyed records: toPositive(murmur2(keyBytes)) % numPartitions over ALL partitions, exactly as
 *    Java's BuiltInPartitioner and librdkafka's murmur2_random, so the same key lands on the
 *    same partition whichever client wrote it.
 *  - Keyless records: sticky (KIP-480) — stay on one available partition until its batch is
 *    closed, then switch to another random available one. Batches fill up instead of one
 *    record going to each partition, which is what made keyless produce slow before KIP-480.
 *  - A custom partitioner receives (topic, keyBytes, allPartitions, availablePartitions) and may
 *    return a partition or undefined (fall back to the default).
 */
export interface PartitionerArgs {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Partition ids of the topic, sorted. */
  allPartitions: readonly number[];
  /** Partitions whose leader is known and alive. */
  availablePartitions: readonly number[];
}

export type Partitioner = (args: PartitionerArgs) => number | undefined;

/** Java's Utils.murmur2 (seed 0x9747b28c), returning a signed 32-bit int. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  const r = 24;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  // Java's switch falls through 3 -> 2 -> 1; written out as ifs (noFallthroughCasesInSwitch).
  const tail = length & ~3;
  const rest = length & 3;
  if (rest >= 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

export const toPositive = (n: number): number => n & 0x7fffffff;

/** The partition Java's default partitioner picks for a key. */
export function murmur2Partition(key: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions;
}

/** Keyed records by murmur2; keyless ones return undefined (the sticky partitioner decides). */
export const murmur2Partitioner: Partitioner = ({ key, allPartitions }) =>
  key === null ? undefined : allPartitions[murmur2Partition(key, allPartitions.length)];

/** Keyless records round-robin over available partitions (kafkajs' and pre-2.4 Java behaviour). */
export function roundRobinPartitioner(): Partitioner {
  const counters = new Map<string, number>();
  return ({ topic, allPartitions, availablePartitions }) => {
    const n = counters.get(topic) ?? 0;
    counters.set(topic, n + 1);
    const list = availablePartitions.length > 0 ? availablePartitions : allPartitions;
    return list[n % list.length];
  };
}

/**
 * KIP-480 sticky choice for keyless records. `used` notes that the current partition got a
 * record, so a "would create a new batch" signal switches only after the partition was used —
 * otherwise every new batch would bounce the choice.
 */
export class StickyPartitionCache {
  private readonly current = new Map<string, { partition: number; used: boolean }>();

  partition(topic: string, available: readonly number[], all: readonly number[]): number {
    const c = this.current.get(topic);
    if (c !== undefined && (available.includes(c.partition) || (available.length === 0 && all.includes(c.partition))))
      return c.partition;
    return this.pick(topic, available, all, -1);
  }

  markUsed(topic: string): void {
    const c = this.current.get(topic);
    if (c) c.used = true;
  }

  /** Called when the sticky partition's batch closed: move on if it was used. */
  onNewBatch(topic: string, prev: number, available: readonly number[], all: readonly number[]): number {
    const c = this.current.get(topic);
    if (c === undefined || c.partition !== prev || !c.used) return c?.partition ?? this.pick(topic, available, all, -1);
    return this.pick(topic, available, all, prev);
  }

  private pick(topic: string, available: readonly number[], all: readonly number[], avoid: number): number {
    const list = available.length > 0 ? available : all;
    let p = list[Math.floor(Math.random() * list.length)]!;
    if (list.length > 1 && p === avoid)
      p = list[(list.indexOf(p) + 1 + Math.floor(Math.random() * (list.length - 1))) % list.length]!;
    this.current.set(topic, { partition: p, used: false });
    return p;
  }
}
