/**
 * What a handler module exports. One module per API key (handlers/NN-name.ts), each opening with its
 * version notes; the registry (handlers/index.ts) lists them with the versions served, and
 * ApiVersions is built from it, so advertising exactly what is implemented needs no second list.
 */
import type { ConnectionContext } from '../net/connection.js';
import type { RequestHeader } from '../../protocol/messages/request-header.js';
import type { BrokerContext } from '../context.js';

export interface RequestContext {
  readonly header: RequestHeader;
  readonly apiVersion: number;
  readonly connection: ConnectionContext;
  readonly broker: BrokerContext;
}

export interface ApiHandler<Req = unknown, Res = unknown> {
  /** Checked against the registry entry that loads the module. */
  readonly apiKey: number;
  /** Runs once per broker before the first request this handler serves, e.g. to start a service. */
  prepare?(broker: BrokerContext): Promise<void>;
  /** Returns the response, or null to send none (Produce acks=0). May be sync or async. */
  handle(request: Req, ctx: RequestContext): Res | null | Promise<Res | null>;
}

/** Helper that keeps the request/response types of a handler while erasing them in the registry. */
export function defineHandler<Req, Res>(h: ApiHandler<Req, Res>): ApiHandler {
  return h as unknown as ApiHandler;
}
