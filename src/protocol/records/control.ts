/**
 * Control records: the single record of a control batch (attributes bit 5), written by the
 * transaction coordinator's WriteTxnMarkers to end a transaction on each partition.
 *
 *   key   = version: int16 (0) + type: int16 (0 = ABORT, 1 = COMMIT)
 *   value = (end-transaction markers) version: int16 (0) + coordinatorEpoch: int32
 *
 * As in Kafka: a key shorter than 4 bytes or with a negative version is invalid; a type this
 * code does not know is reported as UNKNOWN (consumers skip it), not rejected; a key or value
 * with a higher version is read by its known prefix (newer versions only append fields).
 * An end-transaction marker batch is transactional + control, carries the producer's id and
 * epoch, and has baseSequence -1.
 */
import { CompressionType, NO_SEQUENCE, TimestampType } from './batch-header.js';
import { encodeRecordBatch } from './encode.js';
import { InvalidRecordError } from './errors.js';

export enum ControlRecordType {
  Abort = 0,
  Commit = 1,
  Unknown = -1,
}

export const CONTROL_RECORD_KEY_VERSION = 0;
export const END_TXN_MARKER_VERSION = 0;

export interface ControlRecordKey {
  version: number;
  type: ControlRecordType;
  /** The type id as written, also when `type` is Unknown. */
  typeId: number;
}

export interface EndTxnMarker {
  version: number;
  coordinatorEpoch: number;
}

export function encodeControlRecordKey(type: ControlRecordType.Abort | ControlRecordType.Commit): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt16BE(CONTROL_RECORD_KEY_VERSION, 0);
  b.writeInt16BE(type, 2);
  return b;
}

export function parseControlRecordKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < 4) {
    throw new InvalidRecordError(
      'invalid-control-record',
      `control record key has ${key?.length ?? 'no'} bytes, needs 4`,
    );
  }
  const version = key.readInt16BE(0);
  if (version < 0) throw new InvalidRecordError('invalid-control-record', `control record key version ${version}`);
  const typeId = key.readInt16BE(2);
  const type =
    typeId === 0 ? ControlRecordType.Abort : typeId === 1 ? ControlRecordType.Commit : ControlRecordType.Unknown;
  return { version, type, typeId };
}

export function encodeEndTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const b = Buffer.allocUnsafe(6);
  b.writeInt16BE(END_TXN_MARKER_VERSION, 0);
  b.writeInt32BE(coordinatorEpoch, 2);
  return b;
}

export function parseEndTxnMarkerValue(value: Buffer | null): EndTxnMarker {
  if (value === null || value.length < 6) {
    throw new InvalidRecordError(
      'invalid-control-record',
      `end-transaction marker value has ${value?.length ?? 'no'} bytes, needs 6`,
    );
  }
  const version = value.readInt16BE(0);
  if (version < 0) throw new InvalidRecordError('invalid-control-record', `end-transaction marker version ${version}`);
  return { version, coordinatorEpoch: value.readInt32BE(2) };
}

export interface EndTxnMarkerBatchInput {
  commit: boolean;
  producerId: bigint | number;
  producerEpoch: number;
  coordinatorEpoch: number;
  timestamp: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  timestampType?: TimestampType;
}

/** A complete control batch holding one COMMIT or ABORT marker, as the coordinator writes it. */
export function encodeEndTxnMarkerBatch(m: EndTxnMarkerBatchInput): Buffer {
  return encodeRecordBatch({
    baseOffset: m.baseOffset ?? 0,
    partitionLeaderEpoch: m.partitionLeaderEpoch ?? -1,
    compression: CompressionType.None,
    timestampType: m.timestampType ?? TimestampType.CreateTime,
    isTransactional: true,
    isControl: true,
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    baseSequence: NO_SEQUENCE,
    baseTimestamp: m.timestamp,
    records: [
      {
        key: encodeControlRecordKey(m.commit ? ControlRecordType.Commit : ControlRecordType.Abort),
        value: encodeEndTxnMarkerValue(m.coordinatorEpoch),
        timestamp: m.timestamp,
      },
    ],
  });
}
