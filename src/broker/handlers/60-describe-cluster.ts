/**
 * DescribeCluster (key 60), versions 0-1.
 * - Brokers as advertised on the listener the request came in on; controllerId is this node.
 * - v1 endpointType: 1 (brokers) is served; 2 (controllers) is UNSUPPORTED_VERSION, as a broker
 *   answers it in Kafka. Authorized operations are not computed (Int.MIN).
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { DescribeClusterRequest, DescribeClusterResponse } from '../../protocol/messages/index.js';
import { E } from '../errors.js';
import { brokersFor } from './03-metadata.js';
import { defineHandler } from './types.js';

export default defineHandler<DescribeClusterRequest, DescribeClusterResponse>({
  apiKey: ApiKeys.DescribeCluster,
  handle(req, ctx) {
    const v = ctx.apiVersion;
    const base: DescribeClusterResponse = {
      throttleTimeMs: 0,
      errorCode: E.NONE,
      errorMessage: null,
      endpointType: v >= 1 ? req.endpointType : 1,
      clusterId: ctx.broker.clusterId,
      controllerId: ctx.broker.metadata.controllerId,
      brokers: [],
      clusterAuthorizedOperations: -2147483648,
    };
    if (v >= 1 && req.endpointType !== 1) {
      return { ...base, errorCode: E.UNSUPPORTED_VERSION, errorMessage: 'The broker does not serve controller endpoints.' };
    }
    return { ...base, brokers: brokersFor(ctx).map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack })) };
  },
});
