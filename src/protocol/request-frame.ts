/**
 * Header versions and request-header parsing: the part of framing that needs only the API table's
 * version ranges, not the codecs, so the broker can parse every request header before it has loaded
 * a single body codec (codecs load per API key on first use: api-codecs.ts). framing.ts re-exports
 * all of this beside the whole-frame encoders and decoders.
 *
 * Header versions follow Kafka: a request uses header v2 in flexible API versions and v1 otherwise
 * (v0, without client id, only for ControlledShutdown v0); a response uses header v1 in flexible
 * versions and v0 otherwise — except ApiVersions, whose response header is always v0 so that a
 * client that does not yet know the broker's versions can always parse it.
 */
import { apiInfoByKey } from './messages/api-table.js';
import { decodeRequestHeader, type RequestHeader } from './messages/request-header.js';
import { DecodeError, Reader } from './primitives/index.js';

const API_VERSIONS = 18;
const CONTROLLED_SHUTDOWN = 7;

function isFlexible(apiKey: number, apiVersion: number): boolean {
  const api = apiInfoByKey(apiKey);
  // versions beyond the known range keep the flexibility of the newest one (Kafka does the same,
  // so that an ApiVersions request newer than ours still parses and gets UNSUPPORTED_VERSION)
  return api !== undefined && api.flexibleFrom !== null && apiVersion >= api.flexibleFrom;
}

export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === CONTROLLED_SHUTDOWN && apiVersion === 0) return 0;
  return isFlexible(apiKey, apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === API_VERSIONS) return 0;
  return isFlexible(apiKey, apiVersion) ? 1 : 0;
}

export interface RequestFrame {
  header: RequestHeader;
  headerVersion: number;
  /** Positioned at the first byte of the request body. */
  body: Reader;
}

/**
 * Parses the header of one request frame (without its size prefix). Unknown API keys are a
 * DecodeError: their header version cannot be known, and Kafka closes such connections.
 */
export function decodeRequestFrame(frame: Buffer): RequestFrame {
  if (frame.length < 4) throw new DecodeError(`request frame of ${frame.length} bytes is too short`);
  const apiKey = frame.readInt16BE(0);
  const apiVersion = frame.readInt16BE(2);
  if (apiInfoByKey(apiKey) === undefined) throw new DecodeError(`unknown API key ${apiKey}`);
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const body = new Reader(frame);
  const header = decodeRequestHeader(body, headerVersion);
  return { header, headerVersion, body };
}
