import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { type ReadSink, withUserReadBuffer } from '../../../../src/broker/net/user-buffer-socket.js';

describe('withUserReadBuffer', () => {
  it('moves an accepted socket onto reads into the sink buffer, and server.close() still waits for it', async () => {
    const own = Buffer.alloc(1000);
    const received: Buffer[] = [];
    let wrapped: Socket | undefined;
    const sink: ReadSink = {
      readBuffer: () => own,
      onRead: (bytes, buf) => {
        assert.equal(buf, own);
        received.push(Buffer.from(buf.subarray(0, bytes)));
      },
    };
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (accepted) => {
      wrapped = withUserReadBuffer(accepted, server, () => sink);
      assert.ok(wrapped, 'this Node allows re-wrapping');
      wrapped.on('end', () => wrapped!.end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client = connect({ port, host: '127.0.0.1' });
    await once(client, 'connect');
    client.end(Buffer.alloc(5000, 7));
    client.resume();
    const serverClosed = new Promise<void>((r) => server.close(() => r()));
    await once(client, 'close');
    await serverClosed;
    assert.deepEqual(Buffer.concat(received), Buffer.alloc(5000, 7));
  });
});
