/**
 * AlterConfigs (key 33), versions 0-2. The legacy, non-incremental form: the given configs
 * replace every override of the resource (Kafka's semantics; prefer IncrementalAlterConfigs).
 * - TOPIC overrides and BROKER dynamic configs (this broker's id, or "" for the cluster default).
 * - Unknown names or bad values: INVALID_CONFIG; read-only broker configs: INVALID_REQUEST.
 * - validateOnly checks and changes nothing.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { AlterConfigsRequest, AlterConfigsResponse } from '../../protocol/messages/index.js';
import { alterResource } from '../config-resources.js';
import { E, toErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export default defineHandler<AlterConfigsRequest, AlterConfigsResponse>({
  apiKey: ApiKeys.AlterConfigs,
  async handle(req, ctx) {
    const responses = [];
    for (const r of req.resources) {
      try {
        await alterResource(ctx.broker, r.resourceType, r.resourceName, 'replace', r.configs.map((c) => ({ name: c.name, op: 0, value: c.value })), req.validateOnly);
        responses.push({ errorCode: E.NONE, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName });
      } catch (err) {
        const { code, message } = toErrorCode(err);
        responses.push({ errorCode: code, errorMessage: message, resourceType: r.resourceType, resourceName: r.resourceName });
      }
    }
    return { throttleTimeMs: 0, responses };
  },
});
