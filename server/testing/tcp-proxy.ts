import { type Server, type Socket, createConnection, createServer } from 'node:net';
import { freePort } from './free-port.js';

/**
 * A loopback TCP relay in front of a real server (Redis), for partition tests: `partition()`
 * stops relaying in both directions without closing anything, as a cut cable or a dropped
 * route would (the peers see silence, not a reset); `heal()` relays again.
 */
export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private cut = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const port = await freePort();
    const server = createServer();
    const proxy = new TcpProxy(server, port);
    server.on('connection', (client) => {
      proxy.relay(client, targetPort);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${String(this.port)}`;
  }

  partition(): void {
    this.cut = true;
    for (const pair of this.pairs) hold(pair);
  }

  heal(): void {
    this.cut = false;
    for (const pair of this.pairs) join(pair);
  }

  async stop(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  private relay(client: Socket, targetPort: number): void {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    const pair = { client, upstream };
    this.pairs.add(pair);
    if (this.cut) hold(pair);
    else join(pair);
    const end = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

/** Relays both ways. */
function join({ client, upstream }: Pair): void {
  client.pipe(upstream);
  upstream.pipe(client);
}

/** Stops relaying (without the pipes, which would resume a paused side once the other drains). */
function hold({ client, upstream }: Pair): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}
