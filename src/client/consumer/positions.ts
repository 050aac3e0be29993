/**
 * Where a consumer starts reading a partition: the group's committed offset when there is one,
 * else auto.offset.reset (earliest/latest via ListOffsets; 'none' is an error the application
 * answers with a seek). Also used after OFFSET_OUT_OF_RANGE, which always applies the reset.
 */
import { ClientError } from '../errors.js';
import type { Cluster } from '../net/cluster.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from '../offsets.js';
import type { Fetcher, PartitionState } from './fetcher.js';
import type { GroupMembership } from './membership.js';
import { tpKey } from './protocol.js';

export async function resolvePositions(
  fetcher: Fetcher,
  membership: GroupMembership | undefined,
  cluster: Cluster,
  autoOffsetReset: 'earliest' | 'latest' | 'none',
  isolationLevel: 0 | 1,
): Promise<void> {
  const unknown: PartitionState[] = [];
  const reset: PartitionState[] = [];
  for (const s of fetcher.partitions.values()) {
    if (s.error !== undefined) {
      // a fetch error the application must see (once): hand it over and clear it
      const err = s.error;
      s.error = undefined;
      throw err;
    }
    if (s.needsReset) reset.push(s);
    else if (s.position < 0) unknown.push(s);
  }
  if (unknown.length === 0 && reset.length === 0) return;
  if (unknown.length > 0 && membership) {
    const committed = await membership.committed(unknown);
    for (const s of unknown) {
      const c = committed.get(tpKey(s.topic, s.partition));
      if (c && c.offset >= 0) fetcher.seek(s.topic, s.partition, c.offset);
      else reset.push(s);
    }
  } else reset.push(...unknown);
  if (reset.length === 0) return;
  if (autoOffsetReset === 'none') {
    for (const s of reset) s.needsReset = false;
    throw new ClientError(
      'ERR_CLIENT_INVALID_ARGUMENT',
      `no valid offset for ${reset.map((s) => `${s.topic}-${s.partition}`).join(', ')} and auto.offset.reset is 'none': seek first`,
    );
  }
  const timestamp = autoOffsetReset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP;
  const offsets = await listOffsets(
    cluster,
    reset.map((s) => ({ topic: s.topic, partition: s.partition, timestamp })),
    isolationLevel,
  );
  for (const [i, o] of offsets.entries()) {
    const s = reset[i]!;
    // skip partitions revoked or re-assigned while ListOffsets was in flight
    if (fetcher.state(s.topic, s.partition) === s) fetcher.seek(s.topic, s.partition, o.offset);
  }
}
