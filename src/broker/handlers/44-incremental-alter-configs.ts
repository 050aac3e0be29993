/**
 * IncrementalAlterConfigs (key 44), versions 0-1.
 * - Operations SET (0), DELETE (1), APPEND (2) and SUBTRACT (3); the last two only on list configs
 *   (INVALID_CONFIG otherwise). A key named twice in one resource is INVALID_REQUEST.
 * - TOPIC overrides and BROKER dynamic configs (this broker's id, or "" for the cluster default);
 *   changes persist in the metadata store and apply to live logs at once.
 * - validateOnly checks and changes nothing.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../../protocol/messages/index.js';
import { alterResource } from '../config-resources.js';
import { E, toErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export default defineHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>({
  apiKey: ApiKeys.IncrementalAlterConfigs,
  async handle(req, ctx) {
    const responses = [];
    for (const r of req.resources) {
      try {
        await alterResource(
          ctx.broker,
          r.resourceType,
          r.resourceName,
          'incremental',
          r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })),
          req.validateOnly,
        );
        responses.push({ errorCode: E.NONE, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName });
      } catch (err) {
        const { code, message } = toErrorCode(err);
        responses.push({ errorCode: code, errorMessage: message, resourceType: r.resourceType, resourceName: r.resourceName });
      }
    }
    return { throttleTimeMs: 0, responses };
  },
});
