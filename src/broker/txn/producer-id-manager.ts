/**
 * ProducerIdManager: hands out producer ids for InitProducerId from blocks reserved in the
 * metadata store (Kafka's ProducerIdManager; blocks of 1000 as Kafka's ZooKeeper mode uses).
 * A block is durable in the store before any id from it is returned, so ids are never reused
 * across restarts; ids left unused in a block when the broker stops are skipped, as in Kafka.
 *
 * Concurrency: event-loop only. Callers that arrive while a new block is being reserved wait for
 * that one reservation instead of each reserving their own.
 */
import type { MetadataStore } from '../metadata/metadata-store.js';

export const PRODUCER_ID_BLOCK_SIZE = 1000;

export class ProducerIdManager {
  private next = 0;
  private end = 0;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<MetadataStore, 'allocateProducerIdBlock'>,
    private readonly blockSize = PRODUCER_ID_BLOCK_SIZE,
  ) {}

  async generateProducerId(): Promise<number> {
    while (this.next >= this.end) {
      this.pending ??= this.store.allocateProducerIdBlock(this.blockSize).then(
        (b) => {
          this.next = b.firstProducerId;
          this.end = b.firstProducerId + b.count;
          this.pending = undefined;
        },
        (err: unknown) => {
          this.pending = undefined;
          throw err;
        },
      );
      await this.pending;
    }
    return this.next++;
  }
}
