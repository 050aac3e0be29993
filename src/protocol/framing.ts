/**
 * Request and response framing: the 4-byte size prefix, the header versions and whole-frame
 * encoders and decoders (clients and tests). Header versions and request-header parsing live in
 * request-frame.ts, which the broker uses without loading every codec; they are re-exported here.
 *
 * Sans-I/O: frames in, objects out. `frame` below means the bytes after the size prefix.
 */
import { apiByKey } from './messages/index.js';
import { encodeRequestHeader, type RequestHeader } from './messages/request-header.js';
import { decodeResponseHeader, encodeResponseHeader } from './messages/response-header.js';
import { DecodeError, EncodeError, Reader, Writer } from './primitives/index.js';
import { decodeRequestFrame, requestHeaderVersion, responseHeaderVersion } from './request-frame.js';

export { decodeRequestFrame, type RequestFrame, requestHeaderVersion, responseHeaderVersion } from './request-frame.js';

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
