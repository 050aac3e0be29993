/**
 * ApiVersions (key 18), versions 0-4.
 * - The advertised ranges are built from the handler registry: exactly what is implemented.
 * - A version above 4 never reaches here: the dispatcher answers it at v0 with UNSUPPORTED_VERSION
 *   and our ranges (KIP-511), so the client can retry with a version we know.
 * - v3+: ClientSoftwareName/Version must match Kafka's pattern, else INVALID_REQUEST; they are kept
 *   on the connection for logs. No features are advertised (no KRaft feature levels).
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { ApiVersionsRequest, ApiVersionsResponse } from '../../protocol/messages/index.js';
import { E } from '../errors.js';
import { defineHandler } from './types.js';

const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export default defineHandler<ApiVersionsRequest, ApiVersionsResponse>({
  apiKey: ApiKeys.ApiVersions,
  handle(req, ctx) {
    const base: ApiVersionsResponse = {
      errorCode: E.NONE,
      apiKeys: ctx.broker.supportedVersions(),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
    if (ctx.apiVersion >= 3) {
      if (!SOFTWARE_PATTERN.test(req.clientSoftwareName) || !SOFTWARE_PATTERN.test(req.clientSoftwareVersion)) {
        return { ...base, errorCode: E.INVALID_REQUEST };
      }
      ctx.connection.attributes.set('clientSoftware', `${req.clientSoftwareName}/${req.clientSoftwareVersion}`);
    }
    return base;
  },
});
