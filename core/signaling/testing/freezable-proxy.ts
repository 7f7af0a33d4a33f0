import net from 'node:net';

/**
 * A TCP proxy to the test server whose connections can be frozen: bytes stop flowing both ways
 * without any FIN or RST, as after a suspend or a network change (half-open TCP). With
 * `holdNew`, new connections are accepted and then frozen from their first byte: the WebSocket
 * upgrade is never answered, as with a hung server, a proxy in between, or SYNs lost on a dead
 * network (the socket stays CONNECTING).
 */
export async function freezableProxy(target: () => URL) {
  const pairs: { client: net.Socket; upstream: net.Socket; frozen: boolean }[] = [];
  let holdNew = false;
  const server = net.createServer((client) => {
    const url = target();
    const upstream = net.connect(Number(url.port), url.hostname);
    const pair = { client, upstream, frozen: holdNew };
    pairs.push(pair);
    client.on('data', (d) => {
      if (!pair.frozen) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!pair.frozen) client.write(d);
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      if (!pair.frozen) upstream.destroy();
    });
    upstream.on('close', () => {
      if (!pair.frozen) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    connections: () => pairs.length,
    freezeExisting: () => {
      for (const p of pairs) p.frozen = true;
    },
    holdNew: (hold: boolean) => {
      holdNew = hold;
    },
    /** Ends every connection at once, both sides: the server went away. */
    cutAll: () => {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
    },
    close: async () => {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
