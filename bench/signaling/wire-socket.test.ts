import { createHash } from 'node:crypto';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { openSession } from './lean-client.js';
import { WireSocket } from './wire-socket.js';

/** What a WireSocket reported, in order. */
function recorder() {
  const events: string[] = [];
  let onEvent = (): void => undefined;
  const waitFor = async (predicate: () => boolean): Promise<void> => {
    const deadline = Date.now() + 5_000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out; saw ${JSON.stringify(events)}`);
      await new Promise<void>((resolve) => {
        onEvent = resolve;
        setTimeout(resolve, 20);
      });
    }
  };
  const push = (event: string): void => {
    events.push(event);
    onEvent();
  };
  return {
    events,
    waitFor,
    handlers: {
      onOpen: () => {
        push('open');
      },
      onText: (text: string) => {
        push(`text:${text}`);
      },
      onClose: (error: Error | undefined) => {
        push(`close:${error?.message ?? 'clean'}`);
      },
    },
  };
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function wsServer(): Promise<{ url: string; server: WebSocketServer }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => {
          resolve();
        });
      }),
  );
  const { port } = server.address() as net.AddressInfo;
  return { url: `ws://127.0.0.1:${port}/ws`, server };
}

/** A TCP server that answers the upgrade by hand, then runs `script` on the raw socket. */
async function rawServer(script: (socket: net.Socket, accept: string) => void): Promise<string> {
  const server = net.createServer((socket) => {
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      const key = /sec-websocket-key: (\S+)/i.exec(head)?.[1];
      if (!head.includes('\r\n\r\n') || !key) return;
      socket.removeAllListeners('data');
      const accept = createHash('sha1')
        .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
        .digest('base64');
      script(socket, accept);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  );
  return `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/ws`;
}

const switching = (accept: string) =>
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  `Sec-WebSocket-Accept: ${accept}\r\n\r\n`;

/** An unmasked server text frame (FIN set unless `fin` is false). */
function serverFrame(text: string, fin = true): Buffer {
  const payload = Buffer.from(text);
  const n = payload.length;
  const header = n < 126 ? [n] : n < 65_536 ? [126, n >> 8, n & 0xff] : [127, 0, 0, 0, 0];
  if (n >= 65_536) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(n);
    header.push(...length);
  }
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | 0x1, ...header]), payload]);
}

describe('WireSocket (the load generators’ WebSocket client)', () => {
  it('exchanges text of every length class with a ws server, both ways', async () => {
    const { url, server } = await wsServer();
    server.on('connection', (socket) => {
      socket.on('message', (data: Buffer) => {
        socket.send(`echo:${data.toString('utf8')}`);
      });
    });
    const seen = recorder();
    const wire = new WireSocket(url, seen.handlers);
    closers.push(() => {
      wire.terminate();
    });
    await seen.waitFor(() => seen.events.includes('open'));
    const texts = ['hi', 'x'.repeat(125), 'é'.repeat(200), 'y'.repeat(70_000)];
    for (const text of texts) wire.send(text);
    await seen.waitFor(() => seen.events.length === 1 + texts.length);
    expect(seen.events).toEqual(['open', ...texts.map((t) => `text:echo:${t}`)]);
  });

  it('answers a ping with a pong carrying the same payload', async () => {
    const { url, server } = await wsServer();
    const pong = new Promise<string>((resolve) => {
      server.on('connection', (socket) => {
        socket.on('pong', (data) => {
          resolve(data.toString('utf8'));
        });
        socket.ping('are-you-there');
      });
    });
    const seen = recorder();
    const wire = new WireSocket(url, seen.handlers);
    closers.push(() => {
      wire.terminate();
    });
    expect(await pong).toBe('are-you-there');
  });

  it('answers a close frame and reports a clean close', async () => {
    const { url, server } = await wsServer();
    const closed = new Promise<number>((resolve) => {
      server.on('connection', (socket) => {
        socket.on('close', (code) => {
          resolve(code);
        });
        socket.close(1000, 'bye');
      });
    });
    const seen = recorder();
    new WireSocket(url, seen.handlers);
    expect(await closed).toBe(1005);
    await seen.waitFor(() => seen.events.some((e) => e.startsWith('close:')));
    expect(seen.events).toEqual(['open', 'close:clean']);
  });

  it('reassembles frames split across reads and reads several frames from one read', async () => {
    const url = await rawServer((socket, accept) => {
      const first = serverFrame('one');
      const second = serverFrame('z'.repeat(300));
      const third = serverFrame('three');
      // The handshake answer and the first frame in one write; then a frame cut mid-header.
      socket.write(Buffer.concat([Buffer.from(switching(accept)), first, second.subarray(0, 1)]));
      void sleep(30)
        .then(() => socket.write(second.subarray(1, 150)))
        .then(() => sleep(30))
        .then(() => socket.write(Buffer.concat([second.subarray(150), third])));
    });
    const seen = recorder();
    const wire = new WireSocket(url, seen.handlers);
    closers.push(() => {
      wire.terminate();
    });
    await seen.waitFor(() => seen.events.length === 4);
    expect(seen.events).toEqual(['open', 'text:one', `text:${'z'.repeat(300)}`, 'text:three']);
  });

  it('refuses what the server never sends: fragments, a wrong accept key, a refused upgrade', async () => {
    const cases: [string, (socket: net.Socket, accept: string) => void][] = [
      [
        'fragmented message (not used by the server)',
        (socket, accept) => {
          socket.write(Buffer.concat([Buffer.from(switching(accept)), serverFrame('part', false)]));
        },
      ],
      [
        'upgrade answered with a wrong Sec-WebSocket-Accept',
        (socket) => {
          socket.write(switching('d3JvbmcgYWNjZXB0IGtleQ=='));
        },
      ],
      [
        'upgrade refused: HTTP/1.1 401 Unauthorized',
        (socket) => {
          socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
        },
      ],
    ];
    for (const [message, script] of cases) {
      const seen = recorder();
      new WireSocket(await rawServer(script), seen.handlers);
      await seen.waitFor(() => seen.events.some((e) => e.startsWith('close:')));
      expect(seen.events.at(-1)).toBe(`close:${message}`);
    }
  });
});

describe('openSession over WireSocket, against the real server', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('signs in and carries a request and its answer; a bad token is refused', async () => {
    t = await startTestServer();
    await t.addUser('alice');
    const { accessToken } = await t.login('alice');
    const frames: string[] = [];
    const session = openSession(
      t.server.signalingUrl,
      accessToken,
      {
        onFrame: (text) => frames.push(text),
        onClose: () => undefined,
      },
      5_000,
    );
    await session.ready;
    session.send(JSON.stringify({ id: 7, type: 'presence.query', data: { userIds: ['alice'] } }));
    const deadline = Date.now() + 5_000;
    while (!frames.some((f) => f.startsWith('{"id":7,')) && Date.now() < deadline) await sleep(10);
    expect(JSON.parse(frames.find((f) => f.startsWith('{"id":7,')) ?? '{}')).toMatchObject({
      id: 7,
      ok: true,
    });
    session.terminate();

    const refused = openSession(
      t.server.signalingUrl,
      'not-a-token',
      { onFrame: () => undefined, onClose: () => undefined },
      5_000,
    );
    await expect(refused.ready).rejects.toThrow(/hello refused/);
  });
});
