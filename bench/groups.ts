/**
 * Group coordinator benchmark, against a broker process (`vltava server start`, data in a temp
 * dir, group.initial.rebalance.delay.ms=0 so the numbers are the coordinator's, not the delay's):
 *
 *   node dist/bench/groups.js [--members N] [--partitions N] [--rounds N] [--commit-seconds S]
 *                             [--in-flight N] [--out FILE] [--smoke]
 *
 * 1. Rebalance time, raw wire members (one TCP connection each, no client library): N members
 *    (default 10) join a group for a topic of P partitions (default 100); the leader assigns
 *    round-robin and sends SyncGroup; members heartbeat every 10 ms and rejoin when told.
 *    Timed from the first JoinGroup sent until every member holds an assignment of one generation. "form" = an empty group forming (v4+ MEMBER_ID_REQUIRED round included);
 *    "rejoin" = every member of a Stable group rejoining (what a subscription change causes).
 * 2. The same formation with N kafkajs consumers in this process (what an application sees,
 *    client costs included): from the first connect to the last consumer's GROUP_JOIN event.
 * 3. Offset commit throughput: a member of a Stable group commits one partition per request,
 *    with K requests in flight on one connection (default 1 and 16), for S seconds. Each commit
 *    is appended to __consumer_offsets and acknowledged after the append (acks=all semantics).
 *    Reported as commits/s and per-commit latency percentiles.
 */
import kafkajs from 'kafkajs';
import { encodeConsumerProtocolAssignment } from '../src/protocol/messages/consumer-protocol-assignment.js';
import { encodeConsumerProtocolSubscription } from '../src/protocol/messages/consumer-protocol-subscription.js';
import { Writer } from '../src/protocol/primitives/index.js';
import { LatencyHistogram, median } from './lib/histogram.js';
import { HOST, spawnBroker } from './lib/processes.js';
import { argNumber, argValue, printTables, type Table, writeReport } from './lib/report.js';
import { createTopic, WireConnection } from './lib/wire.js';

const JOIN_GROUP = 11;
const SYNC_GROUP = 14;
const OFFSET_COMMIT = 8;
const FIND_COORDINATOR = 10;
const HEARTBEAT = 12;

interface JoinResponse {
  errorCode: number;
  generationId: number;
  leader: string;
  memberId: string;
  protocolName: string | null;
  members: Array<{ memberId: string }>;
}

function subscription(topic: string): Buffer {
  const w = new Writer(64);
  w.int16(0);
  encodeConsumerProtocolSubscription(
    { topics: [topic], userData: null, ownedPartitions: [], generationId: -1, rackId: null },
    0,
    w,
  );
  return w.finish();
}

function assignmentFor(topic: string, partitions: number[]): Buffer {
  const w = new Writer(64 + partitions.length * 4);
  w.int16(0);
  encodeConsumerProtocolAssignment({ assignedPartitions: [{ topic, partitions }], userData: null }, 0, w);
  return w.finish();
}

function join(c: WireConnection, groupId: string, topic: string, memberId: string): Promise<JoinResponse> {
  return c.request<JoinResponse>(JOIN_GROUP, 7, {
    groupId,
    sessionTimeoutMs: 30_000,
    rebalanceTimeoutMs: 30_000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'roundrobin', metadata: subscription(topic) }],
    reason: null,
  });
}

/**
 * Every member behaves as a client does: join (again after MEMBER_ID_REQUIRED), sync (the leader
 * assigns round-robin over the members in its JoinGroup response), then heartbeat every
 * `HEARTBEAT_MS`; REBALANCE_IN_PROGRESS (in a sync or heartbeat) sends it back to join. With no
 * initial rebalance delay the first joiner may form a generation alone and the others a second
 * one, which is what heartbeats are for. Done when all members hold the same generation.
 */
async function rebalance(conns: WireConnection[], groupId: string, topic: string, partitions: number, memberIds: string[]): Promise<string[]> {
  const HEARTBEAT_MS = 10;
  const synced = new Map<number, number>(); // member index -> generation synced
  const ids = [...memberIds];
  const settled = () => synced.size === conns.length && new Set(synced.values()).size === 1;
  await Promise.all(
    conns.map(async (c, i) => {
      for (;;) {
        let r = await join(c, groupId, topic, ids[i] ?? '');
        if (r.errorCode === 79) r = await join(c, groupId, topic, r.memberId);
        if (r.errorCode === 27) continue;
        if (r.errorCode !== 0) throw new Error(`JoinGroup error ${r.errorCode}`);
        ids[i] = r.memberId;
        synced.delete(i);
        const members = r.members.map((m) => m.memberId).sort();
        const assignments =
          r.memberId === r.leader
            ? members.map((memberId, k) => ({
                memberId,
                assignment: assignmentFor(topic, Array.from({ length: partitions }, (_, p) => p).filter((p) => p % members.length === k)),
              }))
            : [];
        const s = await c.request<{ errorCode: number }>(SYNC_GROUP, 5, {
          groupId,
          generationId: r.generationId,
          memberId: r.memberId,
          groupInstanceId: null,
          protocolType: 'consumer',
          protocolName: r.protocolName,
          assignments,
        });
        if (s.errorCode === 27) continue;
        if (s.errorCode !== 0) throw new Error(`SyncGroup error ${s.errorCode}`);
        synced.set(i, r.generationId);
        let rejoin = false;
        while (!settled()) {
          await new Promise((res) => setTimeout(res, HEARTBEAT_MS));
          if (settled()) break;
          const h = await c.request<{ errorCode: number }>(HEARTBEAT, 4, { groupId, generationId: r.generationId, memberId: r.memberId, groupInstanceId: null });
          if (h.errorCode === 27) {
            rejoin = true;
            break;
          }
          if (h.errorCode !== 0) throw new Error(`Heartbeat error ${h.errorCode}`);
        }
        if (!rejoin) return;
      }
    }),
  );
  return ids;
}

async function kafkajsFormation(port: number, groupId: string, topic: string, members: number, partitions: number): Promise<number> {
  const { Kafka, logLevel } = kafkajs;
  const kafka = new Kafka({ brokers: [`${HOST}:${port}`], clientId: 'bench', logLevel: logLevel.NOTHING });
  const consumers = Array.from({ length: members }, () =>
    kafka.consumer({ groupId, maxWaitTimeInMs: 100, heartbeatInterval: 500 }),
  );
  const t0 = performance.now();
  let last = 0;
  const latest = new Map<number, number[]>();
  const settled = new Promise<void>((resolve) => {
    consumers.forEach((c, i) => {
      // Settled when the latest assignments cover every partition exactly once.
      c.on(c.events.GROUP_JOIN, (e) => {
        latest.set(i, Object.values(e.payload.memberAssignment as Record<string, number[]>).flat());
        last = performance.now();
        const all = [...latest.values()].flat();
        if (latest.size === members && all.length === partitions && new Set(all).size === partitions) resolve();
      });
    });
  });
  await Promise.all(
    consumers.map(async (c) => {
      await c.connect();
      await c.subscribe({ topic });
      await c.run({ eachMessage: async () => {} });
    }),
  );
  await settled;
  const ms = last - t0;
  await Promise.all(consumers.map((c) => c.disconnect()));
  return ms;
}

async function commitThroughput(
  port: number,
  groupId: string,
  topic: string,
  partitions: number,
  seconds: number,
  inFlight: number,
) {
  const conn = await WireConnection.connect(HOST, port);
  try {
    const [memberId] = await rebalance([conn], groupId, topic, partitions, []);
    const generationId = 1; // a group of one forms in one generation
    const hist = new LatencyHistogram();
    let commits = 0;
    const deadline = performance.now() + seconds * 1000;
    const worker = async (w: number) => {
      for (let i = w; performance.now() < deadline; i += inFlight) {
        const t = performance.now();
        const r = await conn.request<{ topics: Array<{ partitions: Array<{ errorCode: number }> }> }>(
          OFFSET_COMMIT,
          8,
          {
            groupId,
            generationIdOrMemberEpoch: generationId,
            memberId,
            groupInstanceId: null,
            retentionTimeMs: -1n,
            topics: [
              {
                name: topic,
                partitions: [
                  {
                    partitionIndex: i % partitions,
                    committedOffset: BigInt(i),
                    committedLeaderEpoch: -1,
                    commitTimestamp: -1n,
                    committedMetadata: null,
                  },
                ],
              },
            ],
          },
        );
        const code = r.topics[0]!.partitions[0]!.errorCode;
        if (code !== 0) throw new Error(`OffsetCommit error ${code}`);
        hist.recordMs(performance.now() - t);
        commits++;
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
    const elapsed = (performance.now() - t0) / 1000;
    return {
      inFlight,
      commits,
      seconds: +elapsed.toFixed(2),
      commitsPerSec: Math.round(commits / elapsed),
      latency: hist.summary(),
    };
  } finally {
    conn.close();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const smoke = argv.includes('--smoke');
  const members = argNumber(argv, '--members', smoke ? 3 : 10);
  const partitions = argNumber(argv, '--partitions', smoke ? 6 : 100);
  const rounds = argNumber(argv, '--rounds', smoke ? 2 : 10);
  const commitSeconds = argNumber(argv, '--commit-seconds', smoke ? 0.3 : 5);
  const inFlights = (argValue(argv, '--in-flight') ?? '1,16').split(',').map(Number);
  const out = argValue(argv, '--out') ?? 'bench/results/groups.json';

  const broker = await spawnBroker({ overrides: { 'group.initial.rebalance.delay.ms': '0' } });
  try {
    const admin = await WireConnection.connect(HOST, broker.port);
    const topic = 'bench-groups';
    await createTopic(admin, topic, partitions);
    await admin.request(FIND_COORDINATOR, 3, { key: 'warm-up', keyType: 0, coordinatorKeys: [] }); // creates __consumer_offsets
    admin.close();

    const form: number[] = [];
    const rejoin: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const conns = await Promise.all(Array.from({ length: members }, () => WireConnection.connect(HOST, broker.port)));
      const groupId = `bench-rebalance-${r}`;
      let t = performance.now();
      const ids = await rebalance(conns, groupId, topic, partitions, []);
      form.push(performance.now() - t);
      t = performance.now();
      await rebalance(conns, groupId, topic, partitions, ids);
      rejoin.push(performance.now() - t);
      for (const c of conns) c.close();
    }
    const kjs: number[] = [];
    for (let r = 0; r < Math.max(1, Math.ceil(rounds / 3)); r++)
      kjs.push(await kafkajsFormation(broker.port, `bench-kafkajs-${r}`, topic, members, partitions));

    const commitRows = [];
    for (const k of inFlights)
      commitRows.push(await commitThroughput(broker.port, `bench-commit-${k}`, topic, partitions, commitSeconds, k));

    const ms = (xs: number[]) => ({
      medianMs: +median(xs).toFixed(2),
      minMs: +Math.min(...xs).toFixed(2),
      maxMs: +Math.max(...xs).toFixed(2),
    });
    const rebalanceRows = [
      { workload: `raw wire: ${members} members form a group (${partitions} partitions)`, rounds, ...ms(form) },
      { workload: `raw wire: ${members} members of a Stable group all rejoin`, rounds, ...ms(rejoin) },
      {
        workload: `kafkajs: ${members} consumers form a group (connect to last assignment)`,
        rounds: kjs.length,
        ...ms(kjs),
      },
    ];
    const rebalanceTable: Table = {
      title: `groups: rebalance time, ${members} members, ${partitions} partitions`,
      rows: rebalanceRows.map((r) => ({
        workload: r.workload,
        rounds: r.rounds,
        'median ms': r.medianMs,
        'min ms': r.minMs,
        'max ms': r.maxMs,
      })),
      note: 'raw wire: first JoinGroup sent until all members hold one generation (MEMBER_ID_REQUIRED round, acks=all write of the assignment, and 10 ms heartbeats that bring early joiners back included). kafkajs: until the latest assignments cover every partition once.',
    };
    const commitTable: Table = {
      title: 'groups: offset commit throughput (one partition per OffsetCommit, acks=all append)',
      rows: commitRows.map((r) => ({
        'in flight': r.inFlight,
        commits: r.commits,
        'commits/s': r.commitsPerSec,
        'p50 ms': r.latency.p50Ms,
        'p99 ms': r.latency.p99Ms,
        'max ms': r.latency.maxMs,
      })),
    };
    printTables([rebalanceTable, commitTable]);
    writeReport(out, {
      benchmark: 'groups',
      script: 'dist/bench/groups.js',
      argv,
      workload:
        `Broker process (vltava server start, group.initial.rebalance.delay.ms=0, data on ${broker.dataDir}). ` +
        `Rebalance: ${members} members, topic of ${partitions} partitions, ${rounds} rounds; commits: ${commitSeconds} s per row.`,
      tables: [rebalanceTable, commitTable],
      data: {
        members,
        partitions,
        rounds,
        rebalance: rebalanceRows,
        commits: commitRows,
        brokerStartupMs: +broker.startupMs.toFixed(1),
      },
    });
  } finally {
    await broker.stop();
  }
}

await main();
