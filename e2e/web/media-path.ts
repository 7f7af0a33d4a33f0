import { type Socket, createSocket } from 'node:dgram';
import type { BrowserContext } from '@playwright/test';

/**
 * A media path for one browser context that a test can cut, like a Wi-Fi that drops: Playwright's
 * `setOffline` stops HTTP and WebSockets but not WebRTC (Chromium's network emulation leaves
 * ICE alone), so the context's SFU connection is routed (`routeWebSocket`) and the SFU's UDP
 * candidates it receives are rewritten to ports of UDP relays here; TCP candidates are dropped so
 * that every media packet of that context goes through a relay. `cut(true)` drops every packet
 * both ways, `cut(false)` lets them through again: real packets, real ICE, on loopback.
 */
export interface CuttableMediaPath {
  cut(down: boolean): void;
  /** Packets relayed so far (both ways), to tell the path is really in use. */
  relayed(): number;
  close(): Promise<void>;
}

interface Relay {
  /** What the browser talks to. */
  front: Socket;
  /** What the SFU sees as the browser. */
  back: Socket;
}

const bound = (socket: Socket): Promise<number> =>
  new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      resolve(socket.address().port);
    });
  });

export async function cuttableMediaPath(context: BrowserContext): Promise<CuttableMediaPath> {
  let down = false;
  let relayed = 0;
  const relays: Relay[] = [];

  /** A relay to the SFU's UDP port `port`; returns the port the browser is to use instead. */
  const relayTo = async (port: number): Promise<number> => {
    const front = createSocket('udp4');
    const back = createSocket('udp4');
    const frontPort = await bound(front);
    await bound(back);
    let browser: { address: string; port: number } | undefined;
    front.on('message', (msg, from) => {
      if (down) return;
      // The latest sender: an ICE restart may gather from a new local port.
      browser = { address: from.address, port: from.port };
      relayed += 1;
      back.send(msg, port, '127.0.0.1');
    });
    back.on('message', (msg) => {
      if (down || !browser) return;
      relayed += 1;
      front.send(msg, browser.port, browser.address);
    });
    relays.push({ front, back });
    return frontPort;
  };

  const rewrite = async (text: string): Promise<string> => {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return text;
    }
    const data = (frame as { ok?: boolean; data?: { iceCandidates?: unknown } }).data;
    if (!data || !Array.isArray(data.iceCandidates)) return text;
    const candidates = data.iceCandidates as { protocol: string; port: number }[];
    const udp = candidates.filter((c) => c.protocol === 'udp');
    data.iceCandidates = await Promise.all(
      udp.map(async (c) => ({ ...c, port: await relayTo(c.port) })),
    );
    return JSON.stringify(frame);
  };

  await context.routeWebSocket(/\/sfu$/, (ws) => {
    const server = ws.connectToServer();
    // In order: a rewrite awaits its relay's sockets, and the frames after it must wait too.
    let queue = Promise.resolve();
    server.onMessage((message) => {
      queue = queue.then(async () => {
        ws.send(typeof message === 'string' ? await rewrite(message) : message);
      });
    });
    ws.onMessage((message) => {
      server.send(message);
    });
  });

  return {
    cut: (value) => {
      down = value;
    },
    relayed: () => relayed,
    close: async () => {
      await Promise.all(
        relays.flatMap((r) =>
          [r.front, r.back].map(
            (s) =>
              new Promise<void>((resolve) => {
                s.close(() => {
                  resolve();
                });
              }),
          ),
        ),
      );
    },
  };
}
