/**
 * Re-wraps an accepted socket so the kernel reads into buffers we choose (net.Socket `onread`)
 * instead of a fresh 64 KiB buffer per read.
 *
 * Why: under 1 MiB Produce requests, Node's per-read buffers were half of the broker's external
 * (ArrayBuffer) allocation, and external memory is what drove V8 into a full GC every few tens of
 * MB (15-18% of broker CPU). With `onread`, small frames are read into one shared scratch buffer
 * and copied out (FrameDecoder.push copies), and the body of a large frame is read straight into
 * the frame's own buffer (FrameDecoder.readTarget), so a 1 MiB request allocates 1 MiB, once.
 *
 * Node offers `onread` only to sockets it constructs from options, not to sockets a net.Server
 * accepts. So the server runs with pauseOnConnect (nothing is read into Node's buffers), and this
 * moves the accepted libuv handle into a new net.Socket built with `onread`, transferring the
 * server's connection accounting so `server.close()` still waits for it. That uses `_handle`, the
 * `handle` constructor option and `_server`: stable internals since Node 0.x (cluster uses them),
 * but not documented. If they are missing, this returns undefined and the caller reads with
 * 'data' events as before.
 *
 * The shared scratch buffer is safe across connections because libuv fills it and Node calls the
 * callback synchronously, and the callback copies everything out before returning.
 */
import { type Server, Socket } from 'node:net';

/** Where reads go: `readBuffer()` is asked before each read, `onRead` gets what was read into it. */
export interface ReadSink {
  readBuffer(): Buffer;
  onRead(bytes: number, buf: Buffer): void;
}

export const SCRATCH_READ_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_READ_BYTES);

/** The shared scratch buffer (its contents are only valid during one onRead call). */
export function sharedReadBuffer(): Buffer {
  return scratch;
}

interface SocketInternals {
  _handle?: unknown;
  _server?: Server | null;
  server?: Server | null;
}

/**
 * Returns a socket reading through `sink()` that replaces `accepted` (which must not be used
 * afterwards), or undefined when this Node's internals do not allow it (`accepted` is untouched).
 * `sink` is looked up at each read, so it may be bound after this returns.
 */
export function withUserReadBuffer(
  accepted: Socket,
  server: Server,
  sink: () => ReadSink | undefined,
): Socket | undefined {
  const old = accepted as unknown as SocketInternals;
  const handle = old._handle;
  if (handle === null || typeof handle !== 'object' || old._server !== server) return undefined;
  const onread = {
    buffer: (): Buffer => sink()?.readBuffer() ?? scratch,
    callback: (bytes: number, buf: Buffer): void => {
      sink()?.onRead(bytes, buf);
    },
  };
  let socket: Socket;
  try {
    socket = new Socket({
      handle,
      allowHalfOpen: true,
      readable: true,
      writable: true,
      onread,
    } as unknown as ConstructorParameters<typeof Socket>[0]);
  } catch {
    return undefined;
  }
  // The old wrapper lets go of the handle and of the server's count; the new one carries both.
  old._handle = null;
  old._server = null;
  old.server = null;
  const moved = socket as unknown as SocketInternals;
  moved._server = server;
  moved.server = server;
  return socket;
}
