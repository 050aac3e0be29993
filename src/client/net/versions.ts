/**
 * Which version of each API the client sends: the highest version both this client and the
 * broker support. "This client" is the generated codec range narrowed by CLIENT_MAX where a newer
 * version changes semantics the client code does not speak yet (topic ids instead of names in
 * Fetch 13+, grouped OffsetFetch 8+). Produce never goes below v3: message format v2 only.
 */
import { ApiKeys, apiByKey } from '../../protocol/messages/index.js';

const CLIENT_MAX: Partial<Record<number, number>> = {
  [ApiKeys.Fetch]: 12,
  [ApiKeys.OffsetFetch]: 7,
  [ApiKeys.OffsetCommit]: 9,
  [ApiKeys.Metadata]: 12,
  [ApiKeys.Produce]: 11,
};

const CLIENT_MIN: Partial<Record<number, number>> = {
  [ApiKeys.Produce]: 3,
  [ApiKeys.Fetch]: 4,
  [ApiKeys.ListOffsets]: 1,
  [ApiKeys.Metadata]: 1,
};

export function clientRange(apiKey: number): { min: number; max: number } | undefined {
  const api = apiByKey(apiKey);
  if (api === undefined) return undefined;
  return {
    min: Math.max(api.minVersion, CLIENT_MIN[apiKey] ?? 0),
    max: Math.min(api.maxVersion, CLIENT_MAX[apiKey] ?? api.maxVersion),
  };
}

export interface BrokerApiRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** Negotiated version per API key; keys with no overlap are absent (requests for them fail fast). */
export function negotiate(brokerRanges: readonly BrokerApiRange[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const b of brokerRanges) {
    const c = clientRange(b.apiKey);
    if (c === undefined) continue;
    const v = Math.min(c.max, b.maxVersion);
    if (v >= Math.max(c.min, b.minVersion)) out.set(b.apiKey, v);
  }
  return out;
}
