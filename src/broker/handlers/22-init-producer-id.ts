/**
 * InitProducerId (key 22), versions 0-5.
 * - Without a transactionalId (idempotent producers), as Kafka's TransactionCoordinator: always a
 *   fresh producer id with epoch 0, whatever producerId/epoch the request carries (v3+). Kafka does
 *   not bump the epoch of a non-transactional id on the broker; KIP-360 clients bump it themselves
 *   (Java) or ask again, and get a new id, which is what we answer. Ids come from blocks persisted
 *   in the metadata store, so they are never reused after a restart.
 * - With a transactionalId: transactions are not implemented. We answer
 *   TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which the Java client, librdkafka and kafkajs all treat
 *   as fatal at once (init_transactions fails with a clear error) — the retriable
 *   COORDINATOR_NOT_AVAILABLE / NOT_COORDINATOR would make every client retry until its timeout
 *   (60 s for Java's max.block.ms) and then report a timeout that hides the cause. It is what a
 *   Kafka broker answers when it does not permit transactions for that id.
 * - PRODUCER_FENCED (v4+) / INVALID_PRODUCER_EPOCH (v0-3) only arise with transactions.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/messages/index.js';
import { E, toErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export default defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: ApiKeys.InitProducerId,
  async handle(req, ctx) {
    const fail = (errorCode: number): InitProducerIdResponse => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });
    if (req.transactionalId !== null) return fail(E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    try {
      const producerId = await ctx.broker.producerIds.generateProducerId();
      return { throttleTimeMs: 0, errorCode: E.NONE, producerId: BigInt(producerId), producerEpoch: 0 };
    } catch (err) {
      ctx.broker.logger.error({ err }, 'producer id allocation failed');
      // The store could not persist a block: nothing was handed out; the client retries.
      return fail(toErrorCode(err).code === E.UNKNOWN_SERVER_ERROR ? E.COORDINATOR_NOT_AVAILABLE : toErrorCode(err).code);
    }
  },
});
