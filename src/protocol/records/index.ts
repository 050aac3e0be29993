/**
 * RecordBatch v2 (magic 2): header layout, encoder, CRC-only validator, record decoder, control
 * records and compression. See each module's header for its format and rules.
 */
export * from './batch-header.js';
export * from './compression/index.js';
export * from './control.js';
export { crc32c } from './crc32c.js';
export * from './decode.js';
export * from './encode.js';
export * from './errors.js';
export type { Record, RecordHeader, RecordInput } from './record.js';
export * from './validate.js';
