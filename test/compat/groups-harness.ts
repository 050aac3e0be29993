// Group members for the compat suite with one event surface whatever the client: kafkajs runs
// in-process; kafka-python and confluent-kafka-python (librdkafka) run as /usr/bin/python3 child
// processes (groups-consumer.py) so they can be SIGKILLed. Tests await events, never sleep.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { type Broker, startBroker } from '../../src/broker/index.js';

const { Kafka, logLevel, PartitionAssigners } = kafkajs;

/** dist/test/compat/x.js -> test/compat/groups-consumer.py (Python files are not compiled). */
const SCRIPT = fileURLToPath(new URL('../../../test/compat/groups-consumer.py', import.meta.url));
const WAIT_MS = 30_000;

export type ClientKind = 'kafkajs' | 'kafka-python' | 'confluent';

export interface RecordEvent {
  topic: string;
  partition: number;
  offset: number;
  value: string;
}

export interface MemberOptions {
  bootstrap: string;
  group: string;
  topics: string[];
  assignor?: 'range' | 'roundrobin';
  sessionTimeoutMs?: number;
  heartbeatMs?: number;
  instanceId?: string;
}

type Event =
  | { event: 'assigned' | 'revoked'; partitions: Array<[string, number]> }
  | ({ event: 'record' } & RecordEvent)
  | { event: 'closed' }
  | { event: 'commit-failed' };

/** Waiters of every member: a condition may span members, so any member's event re-checks all. */
let waiters: Array<() => void> = [];

export abstract class Member {
  readonly events: Event[] = [];

  protected emit(e: Event): void {
    this.events.push(e);
    for (const w of [...waiters]) w();
  }

  /** Resolves once `pred` holds over the events so far (checked on every new event). */
  waitFor(what: string, pred: (m: this) => boolean, timeoutMs = WAIT_MS): Promise<void> {
    if (pred(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.events.slice(-10))}`));
      }, timeoutMs);
      const check = () => {
        if (!pred(this)) return;
        clearTimeout(timer);
        waiters = waiters.filter((w) => w !== check);
        resolve();
      };
      waiters.push(check);
    });
  }

  get records(): RecordEvent[] {
    return this.events.filter((e): e is { event: 'record' } & RecordEvent => e.event === 'record');
  }

  /** The latest assignment (empty before the first). */
  get assignment(): Array<[string, number]> {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.event === 'assigned') return e.partitions;
    }
    return [];
  }

  get assignmentCount(): number {
    return this.events.filter((e) => e.event === 'assigned').length;
  }

  /** Leaves the group cleanly. */
  abstract close(): Promise<void>;
}

export class PythonMember extends Member {
  private constructor(readonly child: ChildProcess) {
    super();
  }

  static start(kind: 'kafka-python' | 'confluent', o: MemberOptions): PythonMember {
    const cfg = { client: kind, assignor: 'range', sessionTimeoutMs: 6000, heartbeatMs: 200, ...o };
    const child = spawn('/usr/bin/python3', [SCRIPT, JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const m = new PythonMember(child);
    let buf = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      buf += d;
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) m.emit(JSON.parse(line) as Event);
        nl = buf.indexOf('\n');
      }
    });
    let err = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      err = (err + d).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) process.stderr.write(`python consumer exited with ${code}: ${err}\n`);
    });
    return m;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.stdin!.end('close\n');
    await exited;
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** kafkajs's round-robin assigner under the protocol name librdkafka and Java use. */
function sharedRoundRobin(config: Parameters<typeof PartitionAssigners.roundRobin>[0]) {
  return { ...PartitionAssigners.roundRobin(config), name: 'roundrobin' };
}

export class KafkaJsMember extends Member {
  private constructor(private readonly consumer: ReturnType<InstanceType<typeof Kafka>['consumer']>) {
    super();
  }

  static async start(o: MemberOptions): Promise<KafkaJsMember> {
    const kafka = new Kafka({ brokers: [o.bootstrap], clientId: 'kafkajs-compat', logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({
      groupId: o.group,
      sessionTimeout: o.sessionTimeoutMs ?? 6000,
      heartbeatInterval: o.heartbeatMs ?? 200,
      // kafkajs heartbeats (and so learns of rebalances) only between fetches: keep long polls short.
      maxWaitTimeInMs: 100,
      partitionAssigners: o.assignor === 'roundrobin' ? [sharedRoundRobin] : undefined,
      retry: { initialRetryTime: 50, retries: 20 },
    });
    const m = new KafkaJsMember(consumer);
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const a = e.payload.memberAssignment as Record<string, number[]>;
      m.emit({
        event: 'assigned',
        partitions: Object.entries(a).flatMap(([t, ps]) => ps.map((p): [string, number] => [t, p])),
      });
    });
    await consumer.connect();
    for (const topic of o.topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommitThreshold: 1,
      eachMessage: async ({ topic, partition, message }) => {
        m.emit({ event: 'record', topic, partition, offset: Number(message.offset), value: message.value!.toString() });
      },
    });
    return m;
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
    this.emit({ event: 'closed' });
  }
}

export function startMember(kind: ClientKind, o: MemberOptions): Promise<Member> {
  return kind === 'kafkajs' ? KafkaJsMember.start(o) : Promise.resolve(PythonMember.start(kind, o));
}

/** A broker tuned for fast group tests: no initial rebalance delay, short sessions allowed. */
export function startGroupBroker(): Promise<Broker> {
  return startBroker({
    port: 0,
    storage: 'memory',
    config: {
      'group.initial.rebalance.delay.ms': 0,
      'group.min.session.timeout.ms': 100,
      'auto.create.topics.enable': false,
    },
  });
}

export class Producer {
  private constructor(
    private readonly producer: ReturnType<InstanceType<typeof Kafka>['producer']>,
    private readonly admin: ReturnType<InstanceType<typeof Kafka>['admin']>,
  ) {}

  static async connect(bootstrap: string): Promise<Producer> {
    const kafka = new Kafka({ brokers: [bootstrap], clientId: 'compat-producer', logLevel: logLevel.NOTHING });
    const p = kafka.producer();
    const a = kafka.admin();
    await Promise.all([p.connect(), a.connect()]);
    return new Producer(p, a);
  }

  async createTopic(topic: string, numPartitions: number): Promise<void> {
    await this.admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
  }

  /** Sends `count` records to each partition, valued `${partition}:${index}` starting at `from`. */
  async fill(topic: string, partitions: number, count: number, from = 0): Promise<string[]> {
    const values: string[] = [];
    const messages = [];
    for (let p = 0; p < partitions; p++) {
      for (let i = from; i < from + count; i++) {
        values.push(`${p}:${i}`);
        messages.push({ partition: p, value: `${p}:${i}` });
      }
    }
    await this.producer.send({ topic, messages, acks: -1 });
    return values;
  }

  async close(): Promise<void> {
    await Promise.all([this.producer.disconnect(), this.admin.disconnect()]);
  }
}

/** Values seen by any of the members (duplicates are allowed: delivery is at least once). */
export function seen(...members: Member[]): Set<string> {
  return new Set(members.flatMap((m) => m.records.map((r) => r.value)));
}
