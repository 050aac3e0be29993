/**
 * FindCoordinator (key 10), versions 0-6.
 * - v0-3: one key; v1+ a key type; v4+ a batch of keys (coordinatorKeys) answered one entry each.
 * - Key type 0 (group): the leader of the group's __consumer_offsets partition, creating the
 *   topic on first use (the request waits for it rather than answering COORDINATOR_NOT_AVAILABLE
 *   and making the client retry, as Kafka does).
 * - Key type 1 (transaction): COORDINATOR_NOT_AVAILABLE — there is no transaction coordinator yet.
 * - Any other key type: INVALID_REQUEST. Key type 2 (share) is not served either.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../../protocol/messages/index.js';
import { G } from '../group/codes.js';
import { defineHandler, type RequestContext } from './types.js';

interface Answer {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

async function lookup(key: string, keyType: number, ctx: RequestContext): Promise<Answer> {
  const fail = (errorCode: number, errorMessage: string): Answer => ({
    errorCode,
    errorMessage,
    nodeId: -1,
    host: '',
    port: -1,
  });
  if (keyType === 1) return fail(G.COORDINATOR_NOT_AVAILABLE, 'The transaction coordinator is not available.');
  if (keyType !== 0) return fail(G.INVALID_REQUEST, `Unsupported key type ${keyType}.`);
  const found = await ctx.broker.groups.findCoordinator(key);
  if (found.errorCode !== G.NONE) return fail(found.errorCode, 'The coordinator is not available.');
  if (found.nodeId === ctx.broker.nodeId) {
    const l = ctx.broker.advertisedListener(ctx.connection.listenerName);
    return { errorCode: G.NONE, errorMessage: null, nodeId: found.nodeId, host: l.host, port: l.port };
  }
  const b = ctx.broker.metadata.brokers().find((x) => x.nodeId === found.nodeId);
  if (b === undefined) return fail(G.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  return { errorCode: G.NONE, errorMessage: null, nodeId: b.nodeId, host: b.host, port: b.port };
}

export default defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: ApiKeys.FindCoordinator,
  prepare: (broker) => broker.startGroups(),
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    if (v >= 4) {
      const coordinators = await Promise.all(
        req.coordinatorKeys.map(async (key) => ({ key, ...(await lookup(key, req.keyType, ctx)) })),
      );
      return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 0, host: '', port: 0, coordinators };
    }
    const a = await lookup(req.key, req.keyType, ctx);
    return { throttleTimeMs: 0, ...a, errorMessage: v >= 1 ? a.errorMessage : null, coordinators: [] };
  },
});
