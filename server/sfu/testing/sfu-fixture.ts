import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../logger.js';
import { TokenService } from '../../tokens.js';
import type { SfuConfigInput } from '../sfu-config.js';
import { SfuService } from '../sfu-service.js';
import { SfuTestClient } from './sfu-test-client.js';

export const TEST_SECRET = 'sfu-test-secret-sfu-test-secret-0123456789';

/**
 * A real SfuService behind a real HTTP server on loopback, with the call engine played by a set
 * of participants, and the tickets signed like signaling signs them.
 */
export interface SfuFixture {
  sfu: SfuService;
  /** ws:// URL of `/sfu`. */
  url: string;
  /** The HTTP server's base ws:// URL (to try other paths). */
  baseUrl: string;
  tokens: TokenService;
  /** Calls `onMediaFailed` was called for, in order. */
  mediaFailed: string[];
  /** Makes users present participants of a call (as `isParticipant` answers). */
  admit(callId: string, ...userIds: string[]): void;
  /** The user is no longer a participant (left, removed, or the call is over). */
  dismiss(callId: string, userId: string): void;
  ticket(callId: string, userId: string, ttlSec?: number): Promise<string>;
  /** Connects a client and joins with a fresh ticket. */
  join(callId: string, userId: string): Promise<SfuTestClient>;
  close(): Promise<void>;
}

export async function startSfuFixture(config: SfuConfigInput = {}): Promise<SfuFixture> {
  const participants = new Set<string>();
  const mediaFailed: string[] = [];
  const key = (callId: string, userId: string): string => `${callId}/${userId}`;
  const tokens = new TokenService(TEST_SECRET, { accessSec: 3600, refreshSec: 86_400 });
  const sfu = new SfuService({
    config: { workers: 1, ...config },
    tokens,
    logger: silentLogger(),
  });
  await sfu.start({
    isParticipant: (callId, userId) => participants.has(key(callId, userId)),
    onMediaFailed: (callId) => {
      mediaFailed.push(callId);
    },
  });
  const http: Server = createServer((_req, res) => {
    res.writeHead(404).end();
  });
  http.on('upgrade', (req, socket, head) => {
    sfu.handleUpgrade(req, socket, head);
  });
  await new Promise<void>((resolve) => {
    http.listen(0, '127.0.0.1', resolve);
  });
  const { port } = http.address() as AddressInfo;
  const baseUrl = `ws://127.0.0.1:${port}`;
  const clients: SfuTestClient[] = [];
  const fixture: SfuFixture = {
    sfu,
    url: `${baseUrl}/sfu`,
    baseUrl,
    tokens,
    mediaFailed,
    admit: (callId, ...userIds) => {
      for (const userId of userIds) participants.add(key(callId, userId));
    },
    dismiss: (callId, userId) => {
      participants.delete(key(callId, userId));
    },
    ticket: async (callId, userId, ttlSec = 60) => {
      const { ticket } = await tokens.issueMediaTicket(
        { callId, userId, role: 'participant' },
        ttlSec,
      );
      return ticket;
    },
    join: async (callId, userId) => {
      const { client } = await SfuTestClient.join(
        fixture.url,
        await fixture.ticket(callId, userId),
      );
      clients.push(client);
      return client;
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
      await sfu.close();
      await new Promise<void>((resolve) => {
        http.close(() => {
          resolve();
        });
        http.closeAllConnections();
      });
    },
  };
  return fixture;
}

/** Polls until `check` returns true (mediasoup closes some objects on worker notifications). */
export async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
