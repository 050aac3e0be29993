/**
 * Request and response framing: the 4-byte size prefix and the header versions.
 *
 * Header versions follow Kafka: a request uses header v2 in flexible API versions and v1 otherwise
 * (v0, without client id, only for ControlledShutdown v0); a response uses header v1 in flexible
 * versions and v0 otherwise — except ApiVersions, whose response header is always v0 so that a
 * client that does not yet know the broker's versions can always parse it.
 *
 * Sans-I/O: frames in, objects out. `frame` below means the bytes after the size prefix.
 */
import { apiByKey } from './messages/index.js';
import { decodeRequestHeader, encodeRequestHeader, type RequestHeader } from './messages/request-header.js';
import { decodeResponseHeader, encodeResponseHeader } from './messages/response-header.js';
import { DecodeError, EncodeError, Reader, Writer } from './primitives/index.js';

const API_VERSIONS = 18;
const CONTROLLED_SHUTDOWN = 7;

function isFlexible(apiKey: number, apiVersion: number): boolean {
  const api = apiByKey(apiKey);
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
  if (apiByKey(apiKey) === undefined) throw new DecodeError(`unknown API key ${apiKey}`);
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const body = new Reader(frame);
  const header = decodeRequestHeader(body, headerVersion);
  return { header, headerVersion, body };
}

/** Decodes a whole request frame: header plus body, which must use up the frame exactly. */
export function decodeRequest(frame: Buffer): { header: RequestHeader; request: unknown } {
  const { header, body } = decodeRequestFrame(frame);
  const api = apiByKey(header.requestApiKey)!;
  const request = api.decodeRequest(body, header.requestApiVersion);
  if (body.remaining !== 0) {
    throw new DecodeError(`${api.name} v${header.requestApiVersion} request has ${body.remaining} trailing bytes`);
  }
  return { header, request };
}

function withSizePrefix(w: Writer, write: () => void): Buffer {
  const at = w.reserveInt32();
  write();
  w.patchInt32(at, w.offset - at - 4);
  return w.finish().subarray(at);
}

/** Encodes a response with its header and 4-byte size prefix. */
export function encodeResponseFrame(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  response: unknown,
  w: Writer = new Writer(),
): Buffer {
  const api = apiByKey(apiKey);
  if (api === undefined) throw new EncodeError(`unknown API key ${apiKey}`);
  return withSizePrefix(w, () => {
    encodeResponseHeader({ correlationId }, responseHeaderVersion(apiKey, apiVersion), w);
    api.encodeResponse(response, apiVersion, w);
  });
}

/** Encodes a request with its header and 4-byte size prefix (clients and tests). */
export function encodeRequestFrame(header: RequestHeader, request: unknown, w: Writer = new Writer()): Buffer {
  const api = apiByKey(header.requestApiKey);
  if (api === undefined) throw new EncodeError(`unknown API key ${header.requestApiKey}`);
  return withSizePrefix(w, () => {
    encodeRequestHeader(header, requestHeaderVersion(header.requestApiKey, header.requestApiVersion), w);
    api.encodeRequest(request, header.requestApiVersion, w);
  });
}

/** Decodes a response frame (without its size prefix) for a request of the given key and version. */
export function decodeResponseFrame(
  frame: Buffer,
  apiKey: number,
  apiVersion: number,
): { correlationId: number; response: unknown } {
  const api = apiByKey(apiKey);
  if (api === undefined) throw new DecodeError(`unknown API key ${apiKey}`);
  const r = new Reader(frame);
  const { correlationId } = decodeResponseHeader(r, responseHeaderVersion(apiKey, apiVersion));
  return { correlationId, response: api.decodeResponse(r, apiVersion) };
}
