/**
 * Produce (key 0), versions 3-11. Message formats v0/v1 (Produce 0-2) are refused, as in Kafka 4.
 * - Each partition's batches are CRC-checked and header-validated without decoding records
 *   (bad CRC => CORRUPT_MESSAGE), size-checked against max.message.bytes (MESSAGE_TOO_LARGE) and
 *   timestamp-checked for CreateTime topics (INVALID_TIMESTAMP); offsets are assigned by the log.
 * - v3+ rule (Kafka's ProduceRequest.validateRecords): exactly one batch per partition, else
 *   INVALID_RECORD for that partition (none or several), checked before anything else.
 * - acks 0 (no response), 1 (after the local append), -1 (after the high watermark passes the
 *   append, via the produce purgatory; NOT_ENOUGH_REPLICAS below min.insync.replicas). Anything
 *   else is INVALID_REQUIRED_ACKS.
 * - Unknown topics get UNKNOWN_TOPIC_OR_PARTITION; auto-creation happens through Metadata, as in Kafka.
 * - Idempotent producers (batches with a producerId): the partition log checks epoch and sequence
 *   (OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH) and answers a retried batch with its
 *   original baseOffset without appending it, as Kafka does (no DUPLICATE_SEQUENCE_NUMBER on the
 *   wire). Unknown producer ids are accepted with any sequence (Kafka 2.5+, KIP-360).
 * - transactionalId set => INVALID_TXN_STATE (transactions are not implemented).
 * - Topic compression.type other than `producer`: batches in another codec are re-encoded with the
 *   topic's codec before the append (replica/recompress.ts, Kafka's LogValidator).
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type {
  ProduceRequest,
  ProduceResponse,
  ProduceResponsePartitionProduceResponse,
} from '../../protocol/messages/index.js';
import { E } from '../errors.js';
import type { ProducePartitionResult } from '../replica/delayed-produce.js';
import { partitionKey } from '../replica/partition.js';
import { defineHandler } from './types.js';

export default defineHandler<ProduceRequest, ProduceResponse>({
  apiKey: ApiKeys.Produce,
  async handle(req, ctx) {
    const { replicas } = ctx.broker;
    const acks = req.acks;
    const errorAll = (code: number): ProduceResponse => ({
      responses: req.topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p) => partitionResponse(p.index, code, null)),
      })),
      throttleTimeMs: 0,
      nodeEndpoints: [],
    });
    if (acks !== 0 && acks !== 1 && acks !== -1) return errorAll(E.INVALID_REQUIRED_ACKS);
    if (req.transactionalId !== null) {
      // Transactions are not implemented; refuse rather than write unmarked transactional data.
      return errorAll(E.INVALID_TXN_STATE);
    }
    const entries = req.topicData.flatMap((t) =>
      t.partitionData.map((p) => ({ topic: t.name, partition: p.index, records: p.records })),
    );
    // Kafka's ProduceRequest.validateRecords, before anything else about the partition.
    let refused: Map<string, ProducePartitionResult> | undefined;
    for (const e of entries) {
      const count = e.records === null ? 1 : countBatches(e.records);
      if (count !== 1) {
        const errorMessage = `Produce requests with version ${ctx.apiVersion} must have exactly one record batch per partition (got ${count})`;
        refused ??= new Map();
        refused.set(partitionKey(e.topic, e.partition), {
          errorCode: E.INVALID_RECORD,
          errorMessage,
          baseOffset: -1,
          logAppendTimeMs: -1,
          logStartOffset: -1,
        });
      }
    }
    const accepted =
      refused === undefined ? entries : entries.filter((e) => !refused.has(partitionKey(e.topic, e.partition)));
    const results = await replicas.appendRecords(acks, req.timeoutMs, accepted);
    if (refused !== undefined) for (const [k, r] of refused) results.set(k, r);
    if (acks === 0) return null;
    return {
      responses: req.topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p) => {
          const r = results.get(partitionKey(t.name, p.index))!;
          const out = partitionResponse(p.index, r.errorCode, r.errorMessage);
          if (r.errorCode === E.NONE) {
            out.baseOffset = BigInt(r.baseOffset);
            out.logAppendTimeMs = BigInt(r.logAppendTimeMs);
            out.logStartOffset = BigInt(r.logStartOffset);
          }
          if (r.errorCode === E.NOT_LEADER_OR_FOLLOWER && ctx.apiVersion >= 10) {
            const part = replicas.getPartition(t.name, p.index);
            if (part) out.currentLeader = { leaderId: part.state.leader, leaderEpoch: part.leaderEpoch };
          }
          return out;
        }),
      })),
      throttleTimeMs: 0,
      nodeEndpoints: [],
    };
  },
});

function partitionResponse(
  index: number,
  errorCode: number,
  errorMessage: string | null,
): ProduceResponsePartitionProduceResponse {
  return {
    index,
    errorCode,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordErrors: [],
    errorMessage,
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
  };
}

/** Batches in `records` by their length fields; a torn tail counts as one more (validation names it). */
function countBatches(records: Buffer): number {
  let count = 0;
  for (let pos = 0; pos < records.length; count++) {
    if (pos + 12 > records.length) return count + 1;
    pos += 12 + Math.max(0, records.readInt32BE(pos + 8));
  }
  return count;
}
