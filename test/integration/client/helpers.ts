// Test helpers for client integration tests: read a partition back with raw Fetch requests.
import { execFile } from 'node:child_process';
import { type Broker, startBroker } from '../../../src/broker/broker.js';
import type { Cluster } from '../../../src/client/net/cluster.js';
import { ApiKeys, type FetchResponse } from '../../../src/protocol/messages/index.js';
import { decodeRecordBatches } from '../../../src/protocol/records/decode.js';
import type { Record as KafkaRecord } from '../../../src/protocol/records/record.js';

export async function readPartition(
  cluster: Cluster,
  topic: string,
  partition: number,
  fromOffset = 0,
): Promise<KafkaRecord[]> {
  const leader = await cluster.leaderFor(topic, partition);
  const conn = await cluster.broker(leader);
  const out: KafkaRecord[] = [];
  let offset = fromOffset;
  for (;;) {
    const res = await conn.request<FetchResponse>(ApiKeys.Fetch, {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 50 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          topicId: Buffer.alloc(16),
          partitions: [
            {
              partition,
              currentLeaderEpoch: -1,
              fetchOffset: BigInt(offset),
              lastFetchedEpoch: -1,
              logStartOffset: -1n,
              partitionMaxBytes: 10 << 20,
              replicaDirectoryId: Buffer.alloc(16),
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    const p = res.responses[0]!.partitions[0]!;
    if (p.errorCode !== 0) throw new Error(`fetch error ${p.errorCode}`);
    const batches = decodeRecordBatches(p.records ?? Buffer.alloc(0));
    const recs = batches.flatMap((b) => b.records).filter((r) => r.offset >= offset);
    if (recs.length === 0) return out;
    out.push(...recs);
    offset = recs[recs.length - 1]!.offset + 1;
  }
}

export function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} failed: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

/**
 * Event-driven waiting: tests call `poke()` from handlers and listeners (records consumed,
 * partitions assigned, rebalance events) and `until(predicate)` re-checks on every poke. The
 * timeout only bounds a failing test; it never decides when a passing one proceeds.
 */
export class Changes {
  private readonly waiters = new Set<() => void>();

  poke = (): void => {
    for (const w of [...this.waiters]) w();
  };

  async until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiters.delete(done);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, Math.max(1, deadline - Date.now()));
        this.waiters.add(done);
      });
    }
  }
}

/** An in-process broker with in-memory storage on a free port, for client tests. */
export function startTestBroker(config: Record<string, string | number | boolean> = {}): Promise<Broker> {
  return startBroker({ port: 0, storage: 'memory', config });
}

export async function stopTestBroker(broker: Broker | undefined): Promise<void> {
  await broker?.close();
}
