// A GroupStore stand-in for state-machine tests: keeps groups in memory, "writes" succeed (or
// fail with a chosen code) and can be held to test what happens while a write is in flight.
import { ManualClock } from '../../../../src/common/clock.js';
import { BrokerConfig } from '../../../../src/common/config/broker-config.js';
import { silentLogger } from '../../../../src/common/logger.js';
import type { ClassicGroup } from '../../../../src/broker/group/classic-group.js';
import { G } from '../../../../src/broker/group/codes.js';
import { GroupCoordinator, type JoinGroupParams } from '../../../../src/broker/group/coordinator.js';
import type { GroupStore } from '../../../../src/broker/group/group-store.js';
import type { CommittedOffset } from '../../../../src/broker/group/offsets-records.js';
import { encodeConsumerProtocolSubscription } from '../../../../src/protocol/messages/consumer-protocol-subscription.js';
import { Writer } from '../../../../src/protocol/primitives/index.js';

export class FakeStore {
  readonly groups = new Map<string, ClassicGroup>();
  status: number = G.NONE;
  writeError: number = G.NONE;
  groupWrites = 0;
  tombstones: Array<{ groupId: string; offsets: Array<{ topic: string; partition: number }>; includeGroup: boolean }> =
    [];
  /** When set, writes wait for `release()`. */
  hold = false;
  private held: Array<() => void> = [];

  groupStatus(): number {
    return this.status;
  }

  release(): void {
    const h = this.held;
    this.held = [];
    for (const f of h) f();
  }

  private async write(): Promise<void> {
    if (this.hold) await new Promise<void>((r) => this.held.push(r));
  }

  async storeGroup(): Promise<number> {
    await this.write();
    this.groupWrites++;
    return this.writeError;
  }

  async storeOffsets(
    group: ClassicGroup,
    commits: Array<{ topic: string; partition: number; value: CommittedOffset }>,
  ): Promise<number> {
    await this.write();
    if (this.writeError !== G.NONE) return this.writeError;
    for (const c of commits) group.setOffset(c.topic, c.partition, c.value);
    return G.NONE;
  }

  async storeTombstones(
    groupId: string,
    offsets: Array<{ topic: string; partition: number }>,
    includeGroup: boolean,
  ): Promise<number> {
    this.tombstones.push({ groupId, offsets, includeGroup });
    return G.NONE;
  }
}

export function setup(overrides: Record<string, string | number> = {}) {
  const clock = new ManualClock();
  const config = BrokerConfig.of({
    'group.initial.rebalance.delay.ms': 0,
    'group.min.session.timeout.ms': 10,
    ...overrides,
  });
  const c = new GroupCoordinator({ config, clock, logger: silentLogger() });
  const store = new FakeStore();
  c.store = store as unknown as GroupStore;
  return { clock, c, store, config };
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

export function joinParams(o: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    requireKnownMemberId: false,
    supportSkippingAssignment: false,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    rebalanceTimeoutMs: 1000,
    sessionTimeoutMs: 500,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }],
    reason: null,
    ...o,
  };
}

/** A promise plus whether it has settled yet (to assert "still waiting"). */
export function track<T>(p: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  return { promise: p, settled: () => done };
}

/** Lets queued promise callbacks run (the coordinator answers through promises). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
