/**
 * CreatePartitions (key 37), versions 0-3.
 * - Grows a topic to `count` partitions (never shrinks: INVALID_PARTITIONS); explicit assignments
 *   must list count - current replica sets of the topic's replication factor.
 * - validateOnly checks and changes nothing. A topic named twice is INVALID_REQUEST.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { CreatePartitionsRequest, CreatePartitionsResponse } from '../../protocol/messages/index.js';
import { E, toErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export default defineHandler<CreatePartitionsRequest, CreatePartitionsResponse>({
  apiKey: ApiKeys.CreatePartitions,
  async handle(req, ctx) {
    const manager = ctx.broker.topics;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results = [];
    for (const t of req.topics) {
      if ((counts.get(t.name) ?? 0) > 1) {
        results.push({ name: t.name, errorCode: E.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' });
        continue;
      }
      try {
        const parts = manager.validateCreatePartitions(t.name, t.count, t.assignments?.map((a) => a.brokerIds) ?? null);
        if (!req.validateOnly) await manager.createPartitions(t.name, parts);
        results.push({ name: t.name, errorCode: E.NONE, errorMessage: null });
      } catch (err) {
        const { code, message } = toErrorCode(err);
        results.push({ name: t.name, errorCode: code, errorMessage: message });
      }
    }
    return { throttleTimeMs: 0, results };
  },
});
