/**
 * Broker-only measurements over the bench's wire connection (no client library): a fetch loop
 * that reads a partition from offset 0 to its end as fast as the broker serves it, and a
 * fixed-rate produce-to-consume latency run (acks=all) with a long-poll fetch at the tail.
 */
import { fileURLToPath } from 'node:url';
import type { FetchRequest, FetchResponse } from '../../src/protocol/messages/01-fetch.js';
import type { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/00-produce.js';
import { encodeRecordBatch, iterateRecords } from '../../src/protocol/records/index.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { HOST, runCommand, sleep } from './processes.js';
import { API, WireConnection } from './wire.js';

const FETCH_VERSION = 12; // the last version that names topics (13+ use topic ids)
const EMPTY_ID = Buffer.alloc(16);

function fetchRequest(
  topic: string,
  partition: number,
  offset: bigint,
  maxWaitMs: number,
  maxBytes: number,
): FetchRequest {
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs,
    minBytes: 1,
    maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        topicId: EMPTY_ID,
        partitions: [
          {
            partition,
            currentLeaderEpoch: -1,
            fetchOffset: offset,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: maxBytes,
            replicaDirectoryId: EMPTY_ID,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

/** Walks whole batches in a fetched records buffer (a trailing partial batch is skipped). */
function* batches(records: Buffer): Generator<{ position: number; nextOffset: bigint; count: number }> {
  let pos = 0;
  while (pos + 61 <= records.length) {
    const size = 12 + records.readInt32BE(pos + 8);
    if (pos + size > records.length) return;
    const base = records.readBigInt64BE(pos);
    const lastOffsetDelta = records.readInt32BE(pos + 23);
    yield { position: pos, nextOffset: base + BigInt(lastOffsetDelta) + 1n, count: records.readInt32BE(pos + 57) };
    pos += size;
  }
}

export interface FetchResult {
  records: number;
  bytes: number;
  seconds: number;
  MBps: number;
  recordsPerSec: number;
}

/**
 * Reads partition 0 of `topic` from offset 0 until `endOffset`, one fetch in flight. Stops at
 * `timeoutMs` with what it read (a partition shorter than `endOffset`): the caller compares records.
 */
export async function wireFetch(
  port: number,
  topic: string,
  endOffset: bigint,
  maxBytes = 8 * 1024 * 1024,
  timeoutMs = 120_000,
): Promise<FetchResult> {
  const conn = await WireConnection.connect(HOST, port);
  let offset = 0n;
  let records = 0;
  let bytes = 0;
  const t0 = performance.now();
  const deadline = t0 + timeoutMs;
  try {
    while (offset < endOffset && performance.now() < deadline) {
      const res = await conn.request<FetchResponse>(
        API.FETCH,
        FETCH_VERSION,
        fetchRequest(topic, 0, offset, 100, maxBytes),
      );
      const p = res.responses[0]?.partitions[0];
      if (p?.errorCode !== 0) throw new Error(`fetch error ${p?.errorCode}`);
      if (!p.records || p.records.length === 0) continue;
      bytes += p.records.length;
      for (const b of batches(p.records)) {
        offset = b.nextOffset;
        records += b.count;
      }
    }
  } finally {
    conn.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { records, bytes, seconds, MBps: bytes / 1e6 / seconds, recordsPerSec: records / seconds };
}

export interface E2eResult {
  rateMBps: number;
  recordBytes: number;
  seconds: number;
  sent: number;
  received: number;
  /** Partitions answered with an error code (records that were never appended). */
  produceErrors: number;
  latency: LatencySummary;
}

/**
 * Produces `rateMBps` of `recordBytes` records to partition 0 (acks=-1), one batch every ~1 ms
 * holding the records due by then (like linger.ms=1), while a long-poll fetch follows the tail.
 * Record k (from 1) is due at t0 + k / rate, and its value starts with that due time, not with
 * the time its batch left: latency = time the consumer saw it - due time, so the wait for the next
 * 1 ms tick and any stall of the load generator (timer lateness, GC) count against the record, as
 * in a coordinated-omission-free generator. The rate is unchanged (each tick sends what is due).
 */
export async function wireE2e(
  port: number,
  topic: string,
  rateMBps: number,
  recordBytes: number,
  seconds: number,
  warmupSeconds = 1,
): Promise<E2eResult> {
  const producer = await WireConnection.connect(HOST, port);
  const consumer = await WireConnection.connect(HOST, port);
  const hist = new LatencyHistogram();
  const perMs = (rateMBps * 1e6) / recordBytes / 1000;
  let sent = 0;
  let received = 0;
  let stop = false;
  // Under Kafka's default max.message.bytes (1 MiB + 12) with room for record and batch headers.
  const maxRecordsPerBatch = Math.max(1, Math.floor(900_000 / (recordBytes + 16)));
  // One value per slot of a batch, each stamped with its record's due time; encodeRecordBatch
  // copies them, so the slots are reused by the next batch.
  const pool = Buffer.alloc(maxRecordsPerBatch * recordBytes, 0x61);
  const values = Array.from({ length: maxRecordsPerBatch }, (_, i) =>
    pool.subarray(i * recordBytes, (i + 1) * recordBytes),
  );

  const consume = async () => {
    const list = await consumer.request<{ topics: { partitions: { offset: bigint }[] }[] }>(API.LIST_OFFSETS, 4, {
      replicaId: -1,
      isolationLevel: 0,
      timeoutMs: 30000,
      topics: [
        { name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] },
      ],
    });
    let offset = list.topics[0]!.partitions[0]!.offset;
    consumerReady();
    while (!stop || received < sent) {
      const res = await consumer.request<FetchResponse>(
        API.FETCH,
        FETCH_VERSION,
        fetchRequest(topic, 0, offset, 200, 8 * 1024 * 1024),
      );
      const now = performance.now();
      const p = res.responses[0]!.partitions[0]!;
      if (p.errorCode !== 0) throw new Error(`fetch error ${p.errorCode}`);
      if (!p.records) continue;
      for (const b of batches(p.records)) {
        offset = b.nextOffset;
        // Each record carries its own due time (records of a batch were due up to ~1 ms apart).
        for (const r of iterateRecords(p.records, b.position)) {
          const dueAt = r.value?.readDoubleBE(0) ?? now;
          if (dueAt >= measureFrom) hist.recordMs(now - dueAt);
        }
        received += b.count;
      }
      if (stop && performance.now() > drainDeadline) break;
    }
  };
  let consumerReady!: () => void;
  const ready = new Promise<void>((r) => (consumerReady = r));
  let measureFrom = Number.POSITIVE_INFINITY;
  let drainDeadline = Number.POSITIVE_INFINITY;
  const consuming = consume();
  await ready;
  await sleep(100); // the first long poll is parked at the tail before producing starts

  const t0 = performance.now();
  measureFrom = t0 + warmupSeconds * 1000;
  const end = measureFrom + seconds * 1000;
  const acks: Promise<ProduceResponse>[] = [];
  while (performance.now() < end) {
    const now = performance.now();
    const due = Math.floor((now - t0) * perMs) - sent;
    if (due > 0) {
      // After a stall of the load generator the backlog can exceed max.message.bytes (1 MiB):
      // split it as a producer's batch.size would, instead of sending a batch the broker must refuse.
      for (let left = due, k = sent; left > 0; ) {
        const n = Math.min(left, maxRecordsPerBatch);
        // Record k + i + 1 fell due at t0 + (k + i + 1) / perMs (the tick that sends it is when
        // floor(elapsed * perMs) reaches k + i + 1): stamp that, not `now` (see the function comment).
        for (let i = 0; i < n; i++) values[i]!.writeDoubleBE(t0 + (k + i + 1) / perMs, 0);
        const batch = encodeRecordBatch({
          baseTimestamp: Date.now(),
          records: Array.from({ length: n }, (_, i) => ({
            key: null,
            value: values[i]!,
            timestampDelta: 0,
            offsetDelta: i,
          })),
        });
        const req: ProduceRequest = {
          transactionalId: null,
          acks: -1,
          timeoutMs: 30000,
          topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
        };
        acks.push(producer.request<ProduceResponse>(API.PRODUCE, 9, req));
        left -= n;
        k += n;
      }
      sent += due;
    }
    await sleep(1);
  }
  let produceErrors = 0;
  for (const res of await Promise.all(acks)) {
    for (const t of res.responses) for (const p of t.partitionResponses) if (p.errorCode !== 0) produceErrors++;
  }
  stop = true;
  drainDeadline = performance.now() + 5000;
  await consuming;
  producer.close();
  consumer.close();
  return { rateMBps, recordBytes, seconds, sent, received, produceErrors, latency: hist.summary() };
}

/** Why an e2e run's numbers are not the whole story: produce errors or records never received. */
export function e2eError(r: Pick<E2eResult, 'sent' | 'received' | 'produceErrors'>): string | null {
  const errors: string[] = [];
  if (r.produceErrors) errors.push(`${r.produceErrors} partitions answered with errors`);
  if (r.received < r.sent) errors.push(`received ${r.received} of ${r.sent} records`);
  return errors.length ? errors.join('; ') : null;
}

/**
 * wireE2e in a child process started with the broker's young-generation policy (bench/lib/e2e-child.ts):
 * the producer and consumer of the e2e workload share one event loop, and with V8's default growth
 * to 16 MiB semi-spaces their own scavenges and mark-compacts held it for up to ~15 ms, which the
 * latency table then charged to the broker.
 */
export async function wireE2eInChild(
  port: number,
  topic: string,
  rateMBps: number,
  recordBytes: number,
  seconds: number,
  warmupSeconds = 1,
): Promise<E2eResult> {
  const script = fileURLToPath(new URL('./e2e-child.js', import.meta.url));
  const args = [
    '--semi-space-growth-factor=1',
    script,
    String(port),
    topic,
    String(rateMBps),
    String(recordBytes),
    String(seconds),
    String(warmupSeconds),
  ];
  const r = await runCommand(process.execPath, args, (seconds + warmupSeconds + 60) * 1000);
  if (r.code !== 0) throw new Error(`e2e load generator exited with ${r.code}: ${r.stderr.trim().slice(-500)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as E2eResult;
}
