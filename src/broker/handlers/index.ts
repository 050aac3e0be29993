/**
 * The handler registry: every API this broker serves. ApiVersions advertises exactly these; any
 * other key closes the connection (see dispatcher.ts).
 */
import produce from './00-produce.js';
import fetch from './01-fetch.js';
import listOffsets from './02-list-offsets.js';
import metadata from './03-metadata.js';
import apiVersions from './18-api-versions.js';
import createTopics from './19-create-topics.js';
import deleteTopics from './20-delete-topics.js';
import createPartitions from './37-create-partitions.js';
import type { ApiHandler } from './types.js';

export const HANDLERS: readonly ApiHandler[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  apiVersions,
  createTopics,
  deleteTopics,
  createPartitions,
];
