/**
 * node:diagnostics_channel events published by the client. Subscribing costs nothing when nobody
 * listens (publishers check hasSubscribers first).
 *
 *  vltava:client:request    one message per completed request:
 *                           { apiKey, apiName, apiVersion, correlationId, broker, durationMs, error? }
 *  vltava:client:rebalance  consumer group events: { groupId, memberId, phase, generationId, ... }
 *  vltava:client:connection { broker, event: 'connect' | 'close' | 'error', error? }
 */
import diagnostics from 'node:diagnostics_channel';

export const requestChannel = diagnostics.channel('vltava:client:request');
export const rebalanceChannel = diagnostics.channel('vltava:client:rebalance');
export const connectionChannel = diagnostics.channel('vltava:client:connection');

export interface RequestEvent {
  apiKey: number;
  apiName: string;
  apiVersion: number;
  correlationId: number;
  broker: string;
  durationMs: number;
  error?: unknown;
}
