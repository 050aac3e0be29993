// Helpers for the group integration and compat tests: a raw Kafka-protocol client (requests built
// with the generated codecs, so tests can send exact versions and bad input), group membership
// helpers, and a broker spawned as a real process (`vltava server start`) for crash tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { FrameDecoder } from '../../src/broker/net/frame-decoder.js';
import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/framing.js';
import { ApiKeys } from '../../src/protocol/messages/index.js';
import { encodeConsumerProtocolAssignment } from '../../src/protocol/messages/consumer-protocol-assignment.js';
import { encodeConsumerProtocolSubscription } from '../../src/protocol/messages/consumer-protocol-subscription.js';
import { Writer } from '../../src/protocol/primitives/index.js';

export class RawClient {
  private readonly decoder = new FrameDecoder(1 << 30);
  private readonly pending = new Map<
    number,
    { apiKey: number; version: number; resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let f = this.decoder.next(); f !== undefined; f = this.decoder.next()) {
        const id = f.readInt32BE(0);
        const p = this.pending.get(id);
        if (p === undefined) continue;
        this.pending.delete(id);
        try {
          p.resolve(decodeResponseFrame(Buffer.from(f), p.apiKey, p.version).response);
        } catch (err) {
          p.reject(err as Error);
        }
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new Error('connection closed'));
      this.pending.clear();
    });
  }

  static async connect(bootstrap: string): Promise<RawClient> {
    const [host, port] = bootstrap.split(':') as [string, string];
    const s = connect({ host, port: Number(port) });
    await once(s, 'connect');
    return new RawClient(s);
  }

  // biome-ignore lint/suspicious/noExplicitAny: responses are checked field by field in tests
  request<T = any>(apiKey: number, version: number, body: unknown): Promise<T> {
    const correlationId = this.nextId++;
    const frame = encodeRequestFrame(
      { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: 'raw-test' },
      body,
    );
    return new Promise<T>((resolve, reject) => {
      this.pending.set(correlationId, { apiKey, version, resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(frame);
    });
  }

  /** Sends bytes as they are (for malformed frames). */
  writeRaw(b: Buffer): void {
    this.socket.write(b);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function subscription(topics: string[]): Buffer {
  const w = new Writer(64);
  w.int16(0);
  encodeConsumerProtocolSubscription(
    { topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null },
    0,
    w,
  );
  return w.finish();
}

export function assignment(parts: Record<string, number[]>): Buffer {
  const w = new Writer(64);
  w.int16(0);
  encodeConsumerProtocolAssignment(
    { assignedPartitions: Object.entries(parts).map(([topic, partitions]) => ({ topic, partitions })), userData: null },
    0,
    w,
  );
  return w.finish();
}

export interface JoinOptions {
  groupId: string;
  memberId?: string;
  groupInstanceId?: string | null;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  protocols?: Array<{ name: string; metadata: Buffer }>;
  protocolType?: string;
}

/** JoinGroup at v7 (flexible, no MEMBER_ID_REQUIRED round unless memberId is empty at v4+). */
export function joinGroup(c: RawClient, o: JoinOptions, version = 7) {
  return c.request(ApiKeys.JoinGroup, version, {
    groupId: o.groupId,
    sessionTimeoutMs: o.sessionTimeoutMs ?? 10_000,
    rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? 10_000,
    memberId: o.memberId ?? '',
    groupInstanceId: version >= 5 ? (o.groupInstanceId ?? null) : null,
    protocolType: o.protocolType ?? 'consumer',
    protocols: o.protocols ?? [{ name: 'range', metadata: subscription(['t']) }],
    reason: null,
  });
}

/** JoinGroup at v7, answering MEMBER_ID_REQUIRED with a second join. */
export async function joinFull(c: RawClient, o: JoinOptions) {
  const j = await joinGroup(c, o);
  return j.errorCode === 79 ? joinGroup(c, { ...o, memberId: j.memberId }) : j;
}

/** Joins (answering MEMBER_ID_REQUIRED) and syncs a single-member group; returns the member's identity. */
export async function joinAndSync(c: RawClient, o: JoinOptions & { assign?: Record<string, number[]> }) {
  let j = await joinGroup(c, o);
  if (j.errorCode === 79) j = await joinGroup(c, { ...o, memberId: j.memberId });
  if (j.errorCode !== 0) throw new Error(`JoinGroup failed: ${j.errorCode}`);
  const s = await c.request(ApiKeys.SyncGroup, 5, {
    groupId: o.groupId,
    generationId: j.generationId,
    memberId: j.memberId,
    groupInstanceId: o.groupInstanceId ?? null,
    protocolType: 'consumer',
    protocolName: j.protocolName,
    assignments:
      j.leader === j.memberId ? [{ memberId: j.memberId, assignment: assignment(o.assign ?? { t: [0] }) }] : [],
  });
  if (s.errorCode !== 0) throw new Error(`SyncGroup failed: ${s.errorCode}`);
  return { memberId: j.memberId as string, generationId: j.generationId as number };
}

export function commit(
  c: RawClient,
  groupId: string,
  generationId: number,
  memberId: string,
  offsets: Array<[string, number, number, string?]>,
  version = 8,
) {
  const byTopic = new Map<
    string,
    Array<{
      partitionIndex: number;
      committedOffset: bigint;
      committedLeaderEpoch: number;
      commitTimestamp: bigint;
      committedMetadata: string | null;
    }>
  >();
  for (const [t, p, o, m] of offsets) {
    if (!byTopic.has(t)) byTopic.set(t, []);
    byTopic.get(t)!.push({
      partitionIndex: p,
      committedOffset: BigInt(o),
      committedLeaderEpoch: version >= 6 ? -1 : -1,
      commitTimestamp: -1n,
      committedMetadata: m ?? null,
    });
  }
  return c.request(ApiKeys.OffsetCommit, version, {
    groupId,
    generationIdOrMemberEpoch: generationId,
    memberId,
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  });
}

/** Committed offsets of a group at OffsetFetch v8 as [topic, partition, offset] (all topics). */
export async function fetchCommitted(c: RawClient, groupId: string): Promise<Array<[string, number, number]>> {
  const r = await c.request(ApiKeys.OffsetFetch, 8, {
    groupId: '',
    topics: [],
    groups: [{ groupId, memberId: null, memberEpoch: -1, topics: null }],
    requireStable: false,
  });
  const out: Array<[string, number, number]> = [];
  for (const t of r.groups[0].topics)
    for (const p of t.partitions) out.push([t.name, p.partitionIndex, Number(p.committedOffset)]);
  return out.sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1]);
}

export async function findCoordinator(c: RawClient, groupId: string) {
  return c.request(ApiKeys.FindCoordinator, 3, { key: groupId, keyType: 0, coordinatorKeys: [] });
}

export async function createTopic(c: RawClient, name: string, partitions: number) {
  const r = await c.request(ApiKeys.CreateTopics, 4, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  if (r.topics[0].errorCode !== 0 && r.topics[0].errorCode !== 36)
    throw new Error(`CreateTopics failed: ${r.topics[0].errorCode}`);
}

/** `vltava server start` as a child process; resolves once it logs "broker started". */
export class SpawnedBroker {
  private constructor(
    readonly child: ChildProcess,
    readonly bootstrap: string,
  ) {}

  static async start(logDir: string, overrides: Record<string, string | number> = {}): Promise<SpawnedBroker> {
    const args = ['dist/src/cli/main.js', 'server', 'start', '--log-format', 'json', '--log-level', 'info'];
    const all = {
      listeners: 'PLAINTEXT://127.0.0.1:0',
      'log.dirs': logDir,
      'group.initial.rebalance.delay.ms': 0,
      'group.min.session.timeout.ms': 100,
      ...overrides,
    };
    for (const [k, v] of Object.entries(all)) args.push('--override', `${k}=${v}`);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let buf = '';
    const bootstrap = await new Promise<string>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`broker exited with ${code}: ${buf.slice(-2000)}`)));
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (d: string) => {
        buf += d;
        for (const line of buf.split('\n')) {
          if (!line.includes('broker started')) continue;
          try {
            const l = JSON.parse(line).listeners[0] as string;
            resolve(l.replace(/^PLAINTEXT:\/\//, ''));
          } catch {}
        }
      });
    });
    child.removeAllListeners('exit');
    return new SpawnedBroker(child, bootstrap);
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    await exited;
  }
}
