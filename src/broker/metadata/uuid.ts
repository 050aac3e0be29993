/**
 * Kafka UUIDs (topic ids, cluster ids, directory ids): 16 random bytes, shown as 22 characters of
 * URL-safe base64 without padding. Like Kafka's Uuid.randomUuid, never returns the reserved zero
 * and one UUIDs, nor one whose text starts with '-' (it would read as a command-line flag).
 */
import { randomBytes } from 'node:crypto';

export const ZERO_UUID: Buffer = Buffer.alloc(16);

export function randomUuid(): Buffer {
  for (;;) {
    const b = randomBytes(16);
    // RFC 4122 version 4 bits, as java.util.UUID.randomUUID sets them.
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const allZeroHigh = b.readBigUInt64BE(0) === 0n;
    if (allZeroHigh && b.readBigUInt64BE(8) <= 1n) continue;
    if (uuidToString(b).startsWith('-')) continue;
    return b;
  }
}

export function uuidToString(b: Buffer): string {
  return b.toString('base64url');
}

export function uuidFromString(s: string): Buffer {
  const b = Buffer.from(s, 'base64url');
  if (b.length !== 16) throw new RangeError(`not a Kafka UUID: ${s}`);
  return b;
}
