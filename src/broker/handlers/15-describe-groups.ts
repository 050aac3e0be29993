/**
 * DescribeGroups (key 15), versions 0-5.
 * - Member metadata and assignments are returned only while the group is Stable (Kafka's
 *   GroupMetadata.summary); an unknown group is answered as state "Dead" with no error.
 * - v3+ authorized operations when asked: with no authorizer every group operation is allowed
 *   (READ, DELETE, DESCRIBE); v4+ group.instance.id per member.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../../protocol/messages/index.js';
import { G } from '../group/codes.js';
import { GROUP_AUTHORIZED_OPERATIONS } from '../group/group-admin.js';
import type { DescribedGroup } from '../group/group-admin.js';
import { defineHandler } from './types.js';

const OMITTED = -2147483648;

export default defineHandler<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: ApiKeys.DescribeGroups,
  prepare: (broker) => broker.startGroups(),
  handle(req, ctx) {
    const v = ctx.apiVersion;
    const groups = req.groups.map((groupId) => {
      let d: DescribedGroup;
      try {
        d = ctx.broker.groups.describeGroup(groupId);
      } catch (err) {
        ctx.broker.logger.error({ err, groupId }, 'DescribeGroups failed');
        d = {
          errorCode: G.UNKNOWN_SERVER_ERROR,
          groupId,
          groupState: '',
          protocolType: '',
          protocolData: '',
          members: [],
        };
      }
      return {
        ...d,
        members: d.members.map((m) => ({ ...m, groupInstanceId: v >= 4 ? m.groupInstanceId : null })),
        authorizedOperations: v >= 3 && req.includeAuthorizedOperations ? GROUP_AUTHORIZED_OPERATIONS : OMITTED,
      };
    });
    return { throttleTimeMs: 0, groups };
  },
});
