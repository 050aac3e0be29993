/**
 * RequestDispatcher turns a request frame into a response frame: parse the header, find the
 * handler for the API key, check the version, decode, handle, encode. It is the RequestHandler the
 * network layer calls, one call per frame.
 *
 * Kafka's rules, followed here:
 *  - an unparseable header, an API key this broker does not serve, an unsupported version or a
 *    malformed body close the connection (Kafka's InvalidRequestException path) — except
 *  - ApiVersions with a version newer than ours, answered at v0 with UNSUPPORTED_VERSION and our
 *    ranges, so a newer client can fall back (KIP-511).
 * Tests can intercept any API key (franz-go kfake style) to inject responses or failures.
 * Responses are encoded with splicing: byte fields of SPLICE_MIN_BYTES or more (Fetch records,
 * as read from the log) are handed to the socket as their own buffers in one corked write instead
 * of being copied into the response buffer.
 */
import type { Logger } from '../common/logger.js';
import type { ConnectionContext, ResponseBody } from './net/connection.js';
import { ApiKeys, apiByKey, encodeApiVersionsResponse } from '../protocol/messages/index.js';
import { encodeResponseHeader } from '../protocol/messages/response-header.js';
import { decodeRequestFrame, responseHeaderVersion } from '../protocol/framing.js';
import { DecodeError, Writer } from '../protocol/primitives/index.js';
import type { BrokerContext } from './context.js';
import { E } from './errors.js';
import type { ApiHandler, RequestContext } from './handlers/types.js';

/** Below this, copying into the response buffer is cheaper than one more iovec. */
export const SPLICE_MIN_BYTES = 8 * 1024;

export type Interceptor = (request: unknown, ctx: RequestContext) => unknown | undefined | Promise<unknown | undefined>;

export class RequestDispatcher {
  private readonly handlers = new Map<number, ApiHandler>();
  private readonly interceptors = new Map<number, Interceptor>();

  constructor(
    handlers: readonly ApiHandler[],
    private readonly broker: BrokerContext,
    private readonly logger: Logger,
  ) {
    for (const h of handlers) this.handlers.set(h.apiKey, h);
  }

  /** The (apiKey, min, max) triples ApiVersions advertises: exactly the registered handlers. */
  supportedVersions(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
    return [...this.handlers.values()]
      .sort((a, b) => a.apiKey - b.apiKey)
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
  }

  /**
   * Replaces the handling of one API key for tests: the interceptor's return value is the response;
   * returning undefined falls through to the real handler. Returns a function that removes it.
   */
  intercept(apiKey: number, fn: Interceptor): () => void {
    this.interceptors.set(apiKey, fn);
    return () => this.interceptors.delete(apiKey);
  }

  readonly handle = (frame: Buffer, connection: ConnectionContext): ResponseBody | Promise<ResponseBody> => {
    const { header, body } = decodeRequestFrame(frame); // DecodeError closes the connection
    const apiKey = header.requestApiKey;
    const version = header.requestApiVersion;
    const handler = this.handlers.get(apiKey);
    if (handler === undefined) {
      throw new DecodeError(`API key ${apiKey} (${apiByKey(apiKey)?.name}) is not served by this broker`);
    }
    if (version < handler.minVersion || version > handler.maxVersion) {
      if (apiKey === ApiKeys.ApiVersions) return this.unsupportedApiVersions(header.correlationId);
      throw new DecodeError(`${apiByKey(apiKey)!.name} v${version} is not supported (${handler.minVersion}-${handler.maxVersion})`);
    }
    const api = apiByKey(apiKey)!;
    const request = api.decodeRequest(body, version);
    if (body.remaining !== 0) throw new DecodeError(`${api.name} v${version} request has ${body.remaining} trailing bytes`);
    const ctx: RequestContext = { header, apiVersion: version, connection, broker: this.broker };
    const encode = (response: unknown): ResponseBody => {
      if (response === null || response === undefined) return null;
      const w = new Writer(512, { spliceMinBytes: SPLICE_MIN_BYTES });
      encodeResponseHeader({ correlationId: header.correlationId }, responseHeaderVersion(apiKey, version), w);
      api.encodeResponse(response, version, w);
      return w.finishChunks();
    };
    const interceptor = this.interceptors.get(apiKey);
    const result = interceptor
      ? Promise.resolve(interceptor(request, ctx)).then((r) => (r === undefined ? handler.handle(request, ctx) : r))
      : handler.handle(request, ctx);
    if (result !== null && typeof (result as Promise<unknown>)?.then === 'function') {
      return (result as Promise<unknown>).then(encode, (err: unknown) => {
        this.logger.error({ err, api: api.name, version, clientId: header.clientId }, 'handler failed');
        throw err;
      });
    }
    return encode(result);
  };

  /** ApiVersions v0 response with UNSUPPORTED_VERSION and our ranges (header v0, body v0). */
  private unsupportedApiVersions(correlationId: number): Buffer {
    const w = new Writer(512);
    encodeResponseHeader({ correlationId }, 0, w);
    encodeApiVersionsResponse(
      {
        errorCode: E.UNSUPPORTED_VERSION,
        apiKeys: this.supportedVersions(),
        throttleTimeMs: 0,
        supportedFeatures: [],
        finalizedFeaturesEpoch: -1n,
        finalizedFeatures: [],
        zkMigrationReady: false,
      },
      0,
      w,
    );
    return w.finish();
  }
}
