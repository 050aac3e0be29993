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
 * A key's handler module and codecs are loaded on its first request (handlers/index.ts,
 * protocol/api-codecs.ts; ApiVersions is always loaded), and the handler's `prepare` runs (the group
 * handlers start the group coordinator), so startup does none of it. While that is in progress,
 * every later request waits behind it, so handlers still start in arrival order; responses are
 * written in request order by the connection in any case.
 */
import type { Logger } from '../common/logger.js';
import type { ConnectionContext, ResponseBody } from './net/connection.js';
import { loadApiCodecs, loadedApiCodecs } from '../protocol/api-codecs.js';
import { encodeApiVersionsResponse } from '../protocol/messages/18-api-versions.js';
import { type ApiCodecs, ApiKeys, apiInfoByKey } from '../protocol/messages/api-table.js';
import { encodeResponseHeader } from '../protocol/messages/response-header.js';
import type { RequestHeader } from '../protocol/messages/request-header.js';
import { DecodeError, type Reader, Writer } from '../protocol/primitives/index.js';
import { decodeRequestFrame, responseHeaderVersion } from '../protocol/request-frame.js';
import type { BrokerContext } from './context.js';
import { E } from './errors.js';
import type { HandlerRegistration } from './handlers/index.js';
import type { ApiHandler, RequestContext } from './handlers/types.js';

/** Below this, copying into the response buffer is cheaper than one more iovec. */
export const SPLICE_MIN_BYTES = 8 * 1024;

export type Interceptor = (request: unknown, ctx: RequestContext) => unknown | undefined | Promise<unknown | undefined>;

/** What a request of one API key needs once loaded. */
interface Loaded {
  readonly handler: ApiHandler;
  readonly codecs: ApiCodecs;
}

export class RequestDispatcher {
  private readonly registrations = new Map<number, HandlerRegistration>();
  private readonly loaded = new Map<number, Loaded>();
  private readonly interceptors = new Map<number, Interceptor>();
  /** A first-use load that requests arriving now must wait for; undefined when none is in progress. */
  private loading: Promise<unknown> | undefined;

  constructor(
    handlers: readonly HandlerRegistration[],
    private readonly broker: BrokerContext,
    private readonly logger: Logger,
  ) {
    for (const h of handlers) {
      this.registrations.set(h.apiKey, h);
      // A handler that comes with the registry (ApiVersions) is ready before any request arrives.
      const codecs = loadedApiCodecs(h.apiKey);
      if (h.handler !== undefined && h.handler.prepare === undefined && codecs !== undefined) {
        this.loaded.set(h.apiKey, { handler: h.handler, codecs });
      }
    }
  }

  /**
   * The (apiKey, min, max) triples ApiVersions advertises: exactly the registered handlers, except
   * that Produce is listed from v0 as Kafka 4 lists it (KAFKA-18659); v0-2 requests still close
   * the connection like any unserved version.
   */
  supportedVersions(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
    return [...this.registrations.values()]
      .sort((a, b) => a.apiKey - b.apiKey)
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.advertisedMinVersion ?? h.minVersion, maxVersion: h.maxVersion }));
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
    // Behind a first-use load: wait, so that handlers start in arrival order.
    if (this.loading !== undefined) return this.loading.then(() => this.handle(frame, connection));
    const { header, body } = decodeRequestFrame(frame); // DecodeError closes the connection
    const apiKey = header.requestApiKey;
    const version = header.requestApiVersion;
    const served = this.registrations.get(apiKey);
    if (served === undefined) {
      throw new DecodeError(`API key ${apiKey} (${apiInfoByKey(apiKey)?.name}) is not served by this broker`);
    }
    if (version < served.minVersion || version > served.maxVersion) {
      if (apiKey === ApiKeys.ApiVersions) return this.unsupportedApiVersions(header.correlationId);
      throw new DecodeError(
        `${apiInfoByKey(apiKey)!.name} v${version} is not supported (${served.minVersion}-${served.maxVersion})`,
      );
    }
    const ready = this.loaded.get(apiKey);
    if (ready !== undefined) return this.dispatch(ready, header, body, connection);
    // First request of this key: load, then handle it before anything that arrived after it.
    const load = this.load(served);
    const loading: Promise<unknown> = load.then(
      () => this.loadSettled(loading),
      () => this.loadSettled(loading),
    );
    this.loading = loading;
    return load.then((l) => this.dispatch(l, header, body, connection));
  };

  private async load(served: HandlerRegistration): Promise<Loaded> {
    const [handler, codecs] = await Promise.all([this.loadHandler(served), loadApiCodecs(served.apiKey)]);
    if (handler.apiKey !== served.apiKey) {
      throw new Error(`handler registered for API key ${served.apiKey} is for key ${handler.apiKey}`);
    }
    const loaded = { handler, codecs };
    this.loaded.set(served.apiKey, loaded);
    return loaded;
  }

  private async loadHandler(served: HandlerRegistration): Promise<ApiHandler> {
    const handler = served.handler ?? (await served.load());
    await handler.prepare?.(this.broker);
    return handler;
  }

  private loadSettled(loading: Promise<unknown>): void {
    if (this.loading === loading) this.loading = undefined;
  }

  private dispatch(
    { handler, codecs }: Loaded,
    header: RequestHeader,
    body: Reader,
    connection: ConnectionContext,
  ): ResponseBody | Promise<ResponseBody> {
    const apiKey = header.requestApiKey;
    const version = header.requestApiVersion;
    const name = apiInfoByKey(apiKey)!.name;
    const request = codecs.decodeRequest(body, version);
    if (body.remaining !== 0) throw new DecodeError(`${name} v${version} request has ${body.remaining} trailing bytes`);
    const ctx: RequestContext = { header, apiVersion: version, connection, broker: this.broker };
    const encode = (response: unknown): ResponseBody => {
      if (response === null || response === undefined) return null;
      const w = new Writer(512, { spliceMinBytes: SPLICE_MIN_BYTES });
      encodeResponseHeader({ correlationId: header.correlationId }, responseHeaderVersion(apiKey, version), w);
      codecs.encodeResponse(response, version, w);
      return w.finishChunks();
    };
    const interceptor = this.interceptors.get(apiKey);
    const result = interceptor
      ? Promise.resolve(interceptor(request, ctx)).then((r) => (r === undefined ? handler.handle(request, ctx) : r))
      : handler.handle(request, ctx);
    if (result !== null && typeof (result as Promise<unknown>)?.then === 'function') {
      return (result as Promise<unknown>).then(encode, (err: unknown) => {
        this.logger.error({ err, api: name, version, clientId: header.clientId }, 'handler failed');
        throw err;
      });
    }
    return encode(result);
  }

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
