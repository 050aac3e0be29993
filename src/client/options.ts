/**
 * Options shared by the producer, consumer and admin client. Names are Kafka's configs in
 * camelCase (`request.timeout.ms` -> `requestTimeoutMs`), defaults are Java's.
 */
import { type Logger, createLogger } from '../common/logger.js';

export interface ClientOptions {
  /** "host:port" or a list of them; any one reachable broker is enough to find the rest. */
  bootstrapServers: string | string[];
  clientId?: string;
  /** request.timeout.ms (default 30000). */
  requestTimeoutMs?: number;
  /** socket.connection.setup.timeout.ms (default 10000). */
  connectTimeoutMs?: number;
  /** metadata.max.age.ms (default 300000): metadata is refreshed at least this often. */
  metadataMaxAgeMs?: number;
  /** retry.backoff.ms (default 100) and retry.backoff.max.ms (default 1000). */
  retryBackoffMs?: number;
  retryBackoffMaxMs?: number;
  /** reconnect.backoff.ms (default 50) and reconnect.backoff.max.ms (default 1000). */
  reconnectBackoffMs?: number;
  reconnectBackoffMaxMs?: number;
  logger?: Logger;
}

export interface ResolvedClientOptions {
  bootstrapServers: Array<{ host: string; port: number }>;
  clientId: string;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  metadataMaxAgeMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  reconnectBackoffMs: number;
  reconnectBackoffMaxMs: number;
  logger: Logger;
}

export function parseHostPort(s: string): { host: string; port: number } {
  const trimmed = s.trim().replace(/^[a-zA-Z]+:\/\//, '');
  const m = /^\[(.+)\]:(\d+)$/.exec(trimmed) ?? /^([^:]+):(\d+)$/.exec(trimmed);
  if (m) return { host: m[1]!, port: Number(m[2]) };
  return { host: trimmed, port: 9092 };
}

export function resolveClientOptions(o: ClientOptions): ResolvedClientOptions {
  const list = Array.isArray(o.bootstrapServers) ? o.bootstrapServers : o.bootstrapServers.split(',');
  const bootstrapServers = list.filter((s) => s.trim() !== '').map(parseHostPort);
  if (bootstrapServers.length === 0) throw new TypeError('bootstrapServers must name at least one broker');
  return {
    bootstrapServers,
    clientId: o.clientId ?? 'vltava',
    requestTimeoutMs: o.requestTimeoutMs ?? 30_000,
    connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    metadataMaxAgeMs: o.metadataMaxAgeMs ?? 300_000,
    retryBackoffMs: o.retryBackoffMs ?? 100,
    retryBackoffMaxMs: o.retryBackoffMaxMs ?? 1_000,
    reconnectBackoffMs: o.reconnectBackoffMs ?? 50,
    reconnectBackoffMaxMs: o.reconnectBackoffMaxMs ?? 1_000,
    logger:
      o.logger ?? createLogger({ name: 'vltava-client', level: (process.env.VLTAVA_LOG_LEVEL as 'warn') ?? 'warn' }),
  };
}
