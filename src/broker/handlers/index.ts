/**
 * The handler registry: every API this broker serves, with the versions it serves. ApiVersions
 * advertises exactly these; any other key closes the connection (see dispatcher.ts). Each handler
 * module is imported on the first request of its key (issue 8: startup), so the version ranges live
 * here rather than in the modules; each module's header notes the same range. ApiVersions is
 * imported eagerly: it is every client's first request.
 */
import { ApiKeys } from '../../protocol/messages/api-table.js';
import apiVersions from './18-api-versions.js';
import type { ApiHandler } from './types.js';

/** One served API key: the versions ApiVersions advertises and how to get its handler. */
export interface HandlerRegistration {
  readonly apiKey: number;
  /**
   * The lowest version ApiVersions advertises when it differs from `minVersion` (the lowest served):
   * only Produce, which Kafka 4 advertises from v0 while refusing v0-2 (KAFKA-18659: librdkafka
   * before 2.8 sends gzip, snappy and lz4 batches uncompressed unless the broker lists Produce v0).
   */
  readonly advertisedMinVersion?: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Set when the handler is loaded with the registry (ApiVersions): no request waits for it. */
  readonly handler?: ApiHandler;
  /** Imports the handler module; called on the first request of this key. */
  readonly load: () => Promise<ApiHandler>;
}

/** A handler module imported on the first request of its key. */
function served(
  apiKey: number,
  minVersion: number,
  maxVersion: number,
  load: () => Promise<{ default: ApiHandler }>,
): HandlerRegistration {
  return { apiKey, minVersion, maxVersion, load: () => load().then((m) => m.default) };
}

/** served(API key, lowest version, highest version, handler module). */
export const HANDLERS: readonly HandlerRegistration[] = [
  { ...served(ApiKeys.Produce, 3, 11, () => import('./00-produce.js')), advertisedMinVersion: 0 },
  served(ApiKeys.Fetch, 4, 17, () => import('./01-fetch.js')),
  served(ApiKeys.ListOffsets, 0, 10, () => import('./02-list-offsets.js')),
  served(ApiKeys.Metadata, 0, 12, () => import('./03-metadata.js')),
  served(ApiKeys.OffsetCommit, 0, 9, () => import('./08-offset-commit.js')),
  served(ApiKeys.OffsetFetch, 0, 9, () => import('./09-offset-fetch.js')),
  served(ApiKeys.FindCoordinator, 0, 6, () => import('./10-find-coordinator.js')),
  served(ApiKeys.JoinGroup, 0, 9, () => import('./11-join-group.js')),
  served(ApiKeys.Heartbeat, 0, 4, () => import('./12-heartbeat.js')),
  served(ApiKeys.LeaveGroup, 0, 5, () => import('./13-leave-group.js')),
  served(ApiKeys.SyncGroup, 0, 5, () => import('./14-sync-group.js')),
  served(ApiKeys.DescribeGroups, 0, 5, () => import('./15-describe-groups.js')),
  served(ApiKeys.ListGroups, 0, 5, () => import('./16-list-groups.js')),
  { apiKey: ApiKeys.ApiVersions, minVersion: 0, maxVersion: 4, handler: apiVersions, load: async () => apiVersions },
  served(ApiKeys.CreateTopics, 0, 7, () => import('./19-create-topics.js')),
  served(ApiKeys.DeleteTopics, 0, 6, () => import('./20-delete-topics.js')),
  served(ApiKeys.DeleteRecords, 0, 2, () => import('./21-delete-records.js')),
  served(ApiKeys.InitProducerId, 0, 5, () => import('./22-init-producer-id.js')),
  served(ApiKeys.DescribeConfigs, 0, 4, () => import('./32-describe-configs.js')),
  served(ApiKeys.AlterConfigs, 0, 2, () => import('./33-alter-configs.js')),
  served(ApiKeys.DescribeLogDirs, 0, 4, () => import('./35-describe-log-dirs.js')),
  served(ApiKeys.CreatePartitions, 0, 3, () => import('./37-create-partitions.js')),
  served(ApiKeys.DeleteGroups, 0, 2, () => import('./42-delete-groups.js')),
  served(ApiKeys.IncrementalAlterConfigs, 0, 1, () => import('./44-incremental-alter-configs.js')),
  served(ApiKeys.OffsetDelete, 0, 0, () => import('./47-offset-delete.js')),
  served(ApiKeys.DescribeCluster, 0, 1, () => import('./60-describe-cluster.js')),
  served(ApiKeys.DescribeTopicPartitions, 0, 0, () => import('./75-describe-topic-partitions.js')),
];
