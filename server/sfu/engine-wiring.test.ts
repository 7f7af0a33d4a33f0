import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../protocol/index.js';
import { CallEngine } from '../calls/call-engine.js';
import { type LogLine, captureLogger } from '../store/test-support.js';
import { TokenService } from '../tokens.js';
import type { SfuConfigInput } from './sfu-config.js';
import { SfuService } from './sfu-service.js';
import { opusParameters } from './testing/media-fixtures.js';
import { TEST_SECRET, eventually } from './testing/sfu-fixture.js';
import { SfuTestClient, errorCodeOf } from './testing/sfu-test-client.js';
import { engineOptions, testActor as actor } from '../calls/testing.js';

/**
 * The SFU wired to the real call engine the way server/app.ts wires it: the engine's decisions
 * (accept, mute, remove, hang-up) reach the media plane, and the connect bound ends the call.
 */
async function startWired(config: SfuConfigInput) {
  const { logger, lines } = captureLogger();
  const records: CallRecord[] = [];
  const tokens = new TokenService(TEST_SECRET, { accessSec: 3600, refreshSec: 86_400 });
  const sfu: SfuService = new SfuService({
    config: { workers: 1, ...config },
    tokens,
    logger,
  });
  const calls = new CallEngine(
    engineOptions({
      records: {
        add: (record) => records.push(record),
        query: () => Promise.resolve([]),
        get: () => Promise.resolve(undefined),
        flush: () => Promise.resolve(),
      },
      media: sfu,
      logger,
    }),
  );
  await sfu.start({
    isParticipant: (callId, userId) => calls.isParticipant(callId, userId),
    onMediaFailed: (callId) => {
      calls.endCall(callId, 'media-failed');
    },
  });
  const http: Server = createServer();
  http.on('upgrade', (req, socket, head) => {
    sfu.handleUpgrade(req, socket, head);
  });
  await new Promise<void>((resolve) => {
    http.listen(0, '127.0.0.1', resolve);
  });
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/sfu`;
  const clients: SfuTestClient[] = [];
  return {
    sfu,
    calls,
    records,
    lines,
    join: async (callId: string, userId: string) => {
      const { ticket } = await tokens.issueMediaTicket({ callId, userId, role: 'participant' }, 60);
      const { client } = await SfuTestClient.join(url, ticket);
      clients.push(client);
      return client;
    },
    tryJoin: async (callId: string, userId: string) => {
      const { ticket } = await tokens.issueMediaTicket({ callId, userId, role: 'participant' }, 60);
      const client = await SfuTestClient.connect(url);
      clients.push(client);
      return errorCodeOf(client.request('join', { ticket }));
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
      // As app.ts closes: the engine ends its calls first, then the SFU, then HTTP.
      calls.shutdown();
      await sfu.close();
      await new Promise<void>((resolve) => {
        http.close(() => {
          resolve();
        });
        http.closeAllConnections();
      });
    },
  };
}

describe('the SFU wired to the call engine', () => {
  let wired: Awaited<ReturnType<typeof startWired>> | undefined;
  afterEach(async () => {
    await wired?.close();
    wired = undefined;
  });

  it('enforces mute, remove and the end of the call decided in signaling', async () => {
    const w = (wired = await startWired({ connectTimeoutMs: 60_000 }));
    const callId = 'call-wired-1';
    w.calls.invite(
      actor('alice'),
      { callId, callees: ['bob', 'carol'], media: 'audio' },
      new Map(),
    );
    w.calls.accept(actor('bob'), callId);
    w.calls.accept(actor('carol'), callId);
    const alice = await w.join(callId, 'alice');
    const bob = await w.join(callId, 'bob');
    const carol = await w.join(callId, 'carol');
    await expect(w.tryJoin(callId, 'mallory')).resolves.toBe('forbidden');

    const send = await bob.request('transport.create', { direction: 'send' });
    const mic = await bob.request('produce', {
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(77),
    });
    w.calls.control(actor('alice'), { callId, action: 'mute', target: 'bob', kind: 'audio' });
    await expect(bob.waitFor('producer.paused')).resolves.toMatchObject({
      producerId: mic.producerId,
      byModerator: true,
    });
    await expect(
      errorCodeOf(bob.request('producer.resume', { producerId: mic.producerId })),
    ).resolves.toBe('forbidden');

    w.calls.control(actor('alice'), { callId, action: 'remove', target: 'carol' });
    await expect(carol.waitFor('room.closed')).resolves.toEqual({ reason: 'removed' });
    await expect(w.tryJoin(callId, 'carol')).resolves.toBe('forbidden');

    w.calls.hangup(actor('alice'), callId);
    await expect(bob.waitFor('room.closed')).resolves.toEqual({ reason: 'call-ended' });
    await expect(bob.closed).resolves.toMatchObject({ code: 4000 });
    expect(alice.received('room.closed')).toEqual([]);
    await expect(alice.closed).resolves.toMatchObject({ reason: 'left the call' });
    expect(w.sfu.counts()).toEqual({
      workers: 1,
      routers: 0,
      transports: 0,
      producers: 0,
      consumers: 0,
    });

    // Every SFU log line about a user says which call it is about.
    const aboutUsers = w.lines.filter((l: LogLine) => l.userId !== undefined);
    expect(aboutUsers.length).toBeGreaterThan(0);
    expect(aboutUsers.filter((l) => l.callId === undefined)).toEqual([]);
  });

  it('ends the call with media-failed when media does not connect in time', async () => {
    const w = (wired = await startWired({ connectTimeoutMs: 300 }));
    const callId = 'call-wired-2';
    w.calls.invite(actor('alice'), { callId, callees: ['bob'], media: 'audio' }, new Map());
    w.calls.accept(actor('bob'), callId);
    const alice = await w.join(callId, 'alice');
    const bob = await w.join(callId, 'bob');
    await alice.request('transport.create', { direction: 'send' });
    await bob.request('transport.create', { direction: 'recv' });
    await expect(alice.waitFor('room.closed')).resolves.toEqual({ reason: 'call-ended' });
    await expect(bob.waitFor('room.closed')).resolves.toEqual({ reason: 'call-ended' });
    await eventually(() => w.records.length === 1);
    expect(w.records[0]?.endReason).toBe('media-failed');
    expect(w.sfu.counts()).toMatchObject({ routers: 0, transports: 0 });
  });
});
