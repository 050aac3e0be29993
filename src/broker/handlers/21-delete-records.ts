/**
 * DeleteRecords (key 21), versions 0-2.
 * - Raises each partition's log start offset to the given offset (-1 = the high watermark);
 *   an offset above the high watermark is OFFSET_OUT_OF_RANGE. Answers the new low watermark.
 * - Whole segments below the new start are deleted by the log's retention pass.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../../protocol/messages/index.js';
import { defineHandler } from './types.js';

export default defineHandler<DeleteRecordsRequest, DeleteRecordsResponse>({
  apiKey: ApiKeys.DeleteRecords,
  async handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      topics: await Promise.all(
        req.topics.map(async (t) => ({
          name: t.name,
          partitions: await Promise.all(
            t.partitions.map(async (p) => {
              const r = await ctx.broker.replicas.deleteRecords(t.name, p.partitionIndex, Number(p.offset));
              return { partitionIndex: p.partitionIndex, lowWatermark: BigInt(r.lowWatermark), errorCode: r.errorCode };
            }),
          ),
        })),
      ),
    };
  },
});
