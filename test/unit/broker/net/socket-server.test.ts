import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../../../src/common/clock.js';
import type { RequestHandler } from '../../../../src/broker/net/connection.js';
import { SocketServer, type SocketServerOptions } from '../../../../src/broker/net/socket-server.js';
import { frameResponse } from '../../../../src/broker/net/frame-decoder.js';
import { frameClassBytes, POOL_MIN_FRAME_BYTES } from '../../../../src/common/frame-pool.js';
import { deferred, RawClient } from './harness.js';

const servers: SocketServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function start(
  handler: RequestHandler,
  opts: Partial<SocketServerOptions> = {},
): Promise<{ server: SocketServer; port: number }> {
  const server = new SocketServer({ handler, host: '127.0.0.1', port: 0, ...opts });
  servers.push(server);
  const addr = await server.listen();
  return { server, port: addr.port };
}

const echo: RequestHandler = (frame) => Buffer.from(frame);

describe('SocketServer', () => {
  it('echoes frames sent in random chunkings over a real socket', async () => {
    const { port } = await start(echo);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 2000 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat({ max: 30000 }), { maxLength: 10 }),
        async (bodies, cuts) => {
          const client = await RawClient.connect(port);
          const frames = bodies.map((b) => Buffer.from(b));
          const stream = Buffer.concat(frames.flatMap((f) => [Buffer.from([0, 0, f.length >> 8, f.length & 255]), f]));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          let prev = 0;
          for (const p of [...points, stream.length]) {
            // Each write is a separate chunk; awaiting the callback keeps them from merging in Node.
            await new Promise<void>((resolve) => client.socket.write(stream.subarray(prev, p), () => resolve()));
            prev = p;
          }
          const got = await client.waitFrames(frames.length);
          assert.deepEqual(got, frames);
          client.end();
          await client.closedPromise;
        },
      ),
      { numRuns: 30 },
    );
  });

  it('hands large frames to the handler in their own buffer, read whole, however the stream is split', async () => {
    const own: boolean[] = [];
    const { port } = await start((frame) => {
      // A large frame is read straight into a buffer of its own (its size, or its pool size class),
      // never a view of a socket chunk.
      const expected = frame.length >= POOL_MIN_FRAME_BYTES ? frameClassBytes(frame.length) : frame.length;
      if (frame.length > 4096) own.push(frame.byteOffset === 0 && frame.buffer.byteLength === expected);
      return Buffer.from(frame);
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 300_000 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat({ max: 1_500_000 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 255 }),
        async (sizes, cuts, seed) => {
          const client = await RawClient.connect(port);
          const frames = sizes.map((n, i) => Buffer.alloc(n, (seed + i) & 0xff));
          const stream = Buffer.concat(frames.flatMap((f) => frameResponse(f).buffers));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          let prev = 0;
          for (const p of [...points, stream.length]) {
            await new Promise<void>((resolve) => client.socket.write(stream.subarray(prev, p), () => resolve()));
            prev = p;
          }
          const got = await client.waitFrames(frames.length);
          assert.deepEqual(got, frames);
          client.end();
          await client.closedPromise;
        },
      ),
      { numRuns: 15 },
    );
    assert.ok(own.length > 0 && own.every((x) => x));
  });

  it('close() resolves once the connections it accepted are closed', async () => {
    const server = new SocketServer({ handler: echo, host: '127.0.0.1', port: 0 });
    const { port } = await server.listen();
    const client = await RawClient.connect(port);
    client.send(Buffer.from('hi'));
    assert.deepEqual(await client.waitFrames(1), [Buffer.from('hi')]);
    await server.close();
    await client.closedPromise;
    assert.equal(server.connectionCount, 0);
  });

  it('answers pipelined requests in order even when handlers finish out of order', async () => {
    const pending: Array<{ frame: Buffer; d: ReturnType<typeof deferred<Buffer>> }> = [];
    const arrived = deferred<void>();
    const { port } = await start((frame) => {
      const d = deferred<Buffer>();
      pending.push({ frame: Buffer.from(frame), d });
      if (pending.length === 5) arrived.resolve();
      return d.promise;
    });
    const client = await RawClient.connect(port);
    client.send(...[0, 1, 2, 3, 4].map((i) => Buffer.from([i])));
    await arrived.promise;
    for (const i of [4, 2, 0, 3, 1]) pending[i]!.d.resolve(Buffer.from([i, i]));
    const got = await client.waitFrames(5);
    assert.deepEqual(
      got.map((f) => f[0]),
      [0, 1, 2, 3, 4],
    );
    client.end();
  });

  it('writes nothing for a null response and keeps the order of the rest', async () => {
    const { port } = await start((frame) => (frame[0] === 0 ? null : Buffer.from(frame)));
    const client = await RawClient.connect(port);
    client.send(Buffer.from([1]), Buffer.from([0]), Buffer.from([2]));
    const got = await client.waitFrames(2);
    assert.deepEqual(got, [Buffer.from([1]), Buffer.from([2])]);
    client.end();
  });

  it('writes multi-buffer responses back to back', async () => {
    const { port } = await start(() => [Buffer.from('ab'), Buffer.from('cd')]);
    const client = await RawClient.connect(port);
    client.send(Buffer.from([1]));
    assert.deepEqual(await client.waitFrames(1), [Buffer.from('abcd')]);
    client.end();
  });

  it('closes only the connection that sent an oversized frame', async () => {
    const { port } = await start(echo, { maxRequestBytes: 100 });
    const good = await RawClient.connect(port);
    const bad = await RawClient.connect(port);
    bad.send(Buffer.alloc(101));
    await bad.closedPromise;
    assert.deepEqual(bad.frames, []);
    good.send(Buffer.from('still here'));
    assert.deepEqual(await good.waitFrames(1), [Buffer.from('still here')]);
    good.end();
  });

  it('closes only the connection whose handler fails (malformed request)', async () => {
    const { port } = await start((frame) => {
      if (frame.length === 0) throw new Error('malformed');
      return Buffer.from(frame);
    });
    const bad = await RawClient.connect(port);
    const good = await RawClient.connect(port);
    bad.send(Buffer.alloc(0));
    await bad.closedPromise;
    good.send(Buffer.from('ok'));
    assert.deepEqual(await good.waitFrames(1), [Buffer.from('ok')]);
    good.end();
  });

  it('stops reading when too many requests are in flight and resumes as they complete', async () => {
    const pending: Array<ReturnType<typeof deferred<Buffer>>> = [];
    let arrival = deferred<void>();
    const paused = deferred<void>();
    const onPause = (msg: unknown) => {
      const m = msg as { paused: boolean; reason: string };
      if (m.paused && m.reason === 'in-flight') paused.resolve();
    };
    subscribe('vltava:net:backpressure', onPause);
    const { port } = await start(
      () => {
        const d = deferred<Buffer>();
        pending.push(d);
        arrival.resolve();
        return d.promise;
      },
      { maxInFlightPerConnection: 3 },
    );
    const client = await RawClient.connect(port);
    client.send(...Array.from({ length: 10 }, (_, i) => Buffer.from([i])));
    await paused.promise;
    unsubscribe('vltava:net:backpressure', onPause);
    assert.equal(pending.length, 3);
    // Answer each request once it has arrived: the window slides and all ten are answered in order.
    for (let i = 0; i < 10; i++) {
      while (pending.length <= i) {
        arrival = deferred<void>();
        await arrival.promise;
      }
      assert.ok(pending.length <= i + 3, 'never more than 3 in flight');
      pending[i]!.resolve(Buffer.from([i]));
    }
    const got = await client.waitFrames(10);
    assert.deepEqual(
      got.map((f) => f[0]),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    client.end();
  });

  it('stops reading while a slow reader leaves responses unwritten, then catches up', async () => {
    let handled = 0;
    const paused = deferred<void>();
    const onPause = (msg: unknown) => {
      const m = msg as { paused: boolean; reason: string };
      if (m.paused && m.reason === 'write') paused.resolve();
    };
    subscribe('vltava:net:backpressure', onPause);
    const { port } = await start(() => {
      handled++;
      return Buffer.alloc(4 << 20, handled);
    });
    const client = await RawClient.connect(port);
    client.socket.pause();
    client.send(...Array.from({ length: 20 }, () => Buffer.from([1])));
    await paused.promise;
    unsubscribe('vltava:net:backpressure', onPause);
    assert.ok(handled < 20, `handled ${handled} of 20 while the client was not reading`);
    client.socket.resume();
    const got = await client.waitFrames(20);
    assert.deepEqual(
      got.map((f) => f[0]),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    client.end();
  });

  it('reaps connections idle for connections.max.idle.ms, but not ones with a request in flight', async () => {
    const clock = new ManualClock();
    const hold = deferred<Buffer>();
    const busyStarted = deferred<void>();
    const { port } = await start(
      (frame) => {
        if (frame[0] !== 9) return Buffer.from(frame);
        busyStarted.resolve();
        return hold.promise;
      },
      { clock, idleTimeoutMs: 1000 },
    );
    const idle = await RawClient.connect(port);
    const busy = await RawClient.connect(port);
    busy.send(Buffer.from([9]));
    idle.send(Buffer.from([1]));
    await Promise.all([idle.waitFrames(1), busyStarted.promise]);
    clock.advance(999);
    assert.equal(idle.closed, false);
    clock.advance(500);
    await idle.closedPromise;
    assert.equal(busy.closed, false);
    hold.resolve(Buffer.from([9]));
    assert.deepEqual(await busy.waitFrames(1), [Buffer.from([9])]);
    busy.end();
  });

  it('serves many concurrent connections', async () => {
    const { server, port } = await start(async (frame) => Buffer.from(frame));
    const clients = await Promise.all(Array.from({ length: 200 }, () => RawClient.connect(port)));
    for (const [i, c] of clients.entries()) c.send(Buffer.from(String(i)));
    const results = await Promise.all(clients.map((c) => c.waitFrames(1)));
    for (const [i, r] of results.entries()) assert.equal(r[0]!.toString(), String(i));
    assert.equal(server.connectionCount, 200);
    for (const c of clients) c.end();
    await Promise.all(clients.map((c) => c.closedPromise));
  });

  it('closes every connection on shutdown, letting in-flight responses finish', async () => {
    const hold = deferred<Buffer>();
    const started = deferred<void>();
    const { server, port } = await start(() => {
      started.resolve();
      return hold.promise;
    });
    const a = await RawClient.connect(port);
    const b = await RawClient.connect(port);
    a.send(Buffer.from([1]));
    await started.promise;
    const closing = server.close();
    hold.resolve(Buffer.from([7]));
    await closing;
    await Promise.all([a.closedPromise, b.closedPromise]);
    assert.deepEqual(a.frames, [Buffer.from([7])]);
    assert.equal(server.connectionCount, 0);
  });
});
