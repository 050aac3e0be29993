/**
 * Codecs by API key, each key's generated module imported on its first use. The broker thus starts
 * without parsing the codecs of the ~80 API keys it may never see (about 100 ms of a 450 ms
 * startup; issue 8). ApiVersions is loaded eagerly: it is every client's first request and is
 * answered without waiting. Importing `messages/index.js` anywhere loads every codec at once; the
 * broker's startup path must not.
 */
import { DecodeError } from './primitives/index.js';
import {
  decodeApiVersionsRequest,
  decodeApiVersionsResponse,
  encodeApiVersionsRequest,
  encodeApiVersionsResponse,
} from './messages/18-api-versions.js';
import { type ApiCodecs, ApiKeys, importApiCodecs } from './messages/api-table.js';

const loaded: (ApiCodecs | undefined)[] = [];
loaded[ApiKeys.ApiVersions] = {
  encodeRequest: encodeApiVersionsRequest,
  decodeRequest: decodeApiVersionsRequest,
  encodeResponse: encodeApiVersionsResponse,
  decodeResponse: decodeApiVersionsResponse,
};
const loading = new Map<number, Promise<ApiCodecs>>();

/** The codecs of `apiKey` if they are loaded, else undefined (see `loadApiCodecs`). */
export function loadedApiCodecs(apiKey: number): ApiCodecs | undefined {
  return loaded[apiKey];
}

/** Loads the codecs of `apiKey` (once); rejects with DecodeError for a key this build does not know. */
export function loadApiCodecs(apiKey: number): Promise<ApiCodecs> {
  const done = loaded[apiKey];
  if (done !== undefined) return Promise.resolve(done);
  let pending = loading.get(apiKey);
  if (pending === undefined) {
    const imported = importApiCodecs(apiKey);
    if (imported === undefined) return Promise.reject(new DecodeError(`unknown API key ${apiKey}`));
    pending = imported.then(
      (codecs) => {
        loaded[apiKey] = codecs;
        loading.delete(apiKey);
        return codecs;
      },
      (err: unknown) => {
        loading.delete(apiKey); // a later request tries again
        throw err;
      },
    );
    loading.set(apiKey, pending);
  }
  return pending;
}
