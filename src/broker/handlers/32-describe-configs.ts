/**
 * DescribeConfigs (key 32), versions 0-4 (Kafka 4 dropped v0; kept).
 * - Resources: TOPIC (2) and BROKER (4; name = this broker's id, or "" for the cluster-wide
 *   dynamic defaults). BROKER_LOGGER (8) answers an empty list. Others: INVALID_REQUEST.
 * - Values, sources (v1+), synonyms (v1+, when asked), types (v3+) come from the config
 *   definitions in common/config: Kafka's names, defaults and layering. Documentation is null.
 * - v0 reports isDefault instead of a source. Sensitive values are null.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { DescribeConfigsRequest, DescribeConfigsResponse } from '../../protocol/messages/index.js';
import { describeResource } from '../config-resources.js';
import { E, toErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export default defineHandler<DescribeConfigsRequest, DescribeConfigsResponse>({
  apiKey: ApiKeys.DescribeConfigs,
  handle(req, ctx) {
    const v = ctx.apiVersion;
    const results = req.resources.map((r) => {
      try {
        const wanted = r.configurationKeys === null || r.configurationKeys.length === 0 ? null : new Set(r.configurationKeys);
        const entries = describeResource(ctx.broker, r.resourceType, r.resourceName, v >= 1 && req.includeSynonyms).filter((e) => wanted === null || wanted.has(e.name));
        return {
          errorCode: E.NONE,
          errorMessage: null,
          resourceType: r.resourceType,
          resourceName: r.resourceName,
          configs: entries.map((e) => ({
            name: e.name,
            value: e.value,
            readOnly: e.readOnly,
            isDefault: v === 0 ? e.isDefault : false,
            configSource: v >= 1 ? e.source : -1,
            isSensitive: e.sensitive,
            synonyms: v >= 1 ? e.synonyms : [],
            configType: v >= 3 ? e.configType : 0,
            documentation: null,
          })),
        };
      } catch (err) {
        const { code, message } = toErrorCode(err);
        return { errorCode: code, errorMessage: message, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] };
      }
    });
    return { throttleTimeMs: 0, results };
  },
});
