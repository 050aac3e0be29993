/**
 * A pipelined command driver for the peer benches (Redis RESP, NATS): the same shape as the
 * blaster — pre-encoded groups of commands written with one socket write each, a bounded window
 * of groups in flight per connection — with a per-protocol reply counter supplied by the caller.
 */
import { connect, type Socket } from 'node:net';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { HOST } from './processes.js';

/** Consumes bytes, returns how many complete replies (and errors) they finished. */
export interface ReplyCounter {
  feed(chunk: Buffer): { replies: number; errors: number; firstError?: string };
}

export interface PipelineOptions {
  port: number;
  connections: number;
  /** Groups in flight per connection. */
  window: number;
  /** Pre-encoded group of `perGroup` commands, or one per connection (by index). */
  group: Buffer | ((connection: number) => Buffer);
  perGroup: number;
  recordBytes: number;
  durationMs: number;
  warmupMs: number;
  /** Connection setup (handshake) before the timed run; returns the counter for that socket. */
  setup(socket: Socket, connection: number): Promise<ReplyCounter>;
}

export interface PipelineResult {
  records: number;
  /** Replies counted over the whole run (warm-up and drain included), to check against the server's own count. */
  replies: number;
  seconds: number;
  recordsPerSec: number;
  MBps: number;
  errors: number;
  firstError: string | null;
  latency: LatencySummary;
}

export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const hist = new LatencyHistogram();
  let records = 0;
  let replies = 0;
  let errors = 0;
  let firstError: string | null = null;
  const t0 = performance.now();
  const measureFrom = t0 + o.warmupMs;
  const end = measureFrom + o.durationMs;
  const sockets: Socket[] = [];
  await Promise.all(
    Array.from({ length: o.connections }, async (_, index) => {
      const group = typeof o.group === 'function' ? o.group(index) : o.group;
      const socket = connect({ host: HOST, port: o.port, noDelay: true });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      const counter = await o.setup(socket, index);
      // Groups complete in order: the reply count tells which group finished.
      const sentAt: number[] = [];
      let repliesInGroup = 0;
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      let inFlight = 0;
      const send = () => {
        while (inFlight < o.window && performance.now() < end) {
          sentAt.push(performance.now());
          inFlight++;
          socket.write(group);
        }
        if (inFlight === 0) done();
      };
      socket.on('data', (chunk: Buffer) => {
        const r = counter.feed(chunk);
        errors += r.errors;
        replies += r.replies;
        if (r.firstError && firstError === null) firstError = r.firstError;
        repliesInGroup += r.replies;
        while (repliesInGroup >= o.perGroup) {
          repliesInGroup -= o.perGroup;
          inFlight--;
          const s = sentAt.shift()!;
          const now = performance.now();
          if (s >= measureFrom && now <= end) {
            hist.recordMs(now - s);
            records += o.perGroup;
          }
        }
        send();
      });
      socket.on('error', (err) => {
        firstError ??= err.message;
        done();
      });
      // Bounded in time even if a server stops answering: give up 10 s after the end.
      const giveUp = setTimeout(
        () => {
          if (inFlight > 0) firstError ??= `${inFlight} groups unanswered 10 s after the end`;
          done();
        },
        end - performance.now() + 10_000,
      );
      send();
      await finished;
      clearTimeout(giveUp);
    }),
  );
  for (const s of sockets) s.destroy();
  const seconds = o.durationMs / 1000;
  return {
    records,
    replies,
    seconds,
    recordsPerSec: records / seconds,
    MBps: (records * o.recordBytes) / 1e6 / seconds,
    errors,
    firstError,
    latency: hist.summary(),
  };
}
