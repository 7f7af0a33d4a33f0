import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SfuTestClient, errorCodeOf } from '../../sfu/testing/sfu-test-client.js';
import { TokenService } from '../../tokens.js';
import { answeredCall } from '../support.js';
import type { TestClient } from '../../testing/test-client.js';
import { SfuNodesScenario, TICKET_SECRET } from './support/sfu-nodes-scenario.js';

/**
 * An SFU node checks media tickets on its own (it holds no sessions and no calls): the signature
 * with the shared ticket secret, its own URL as audience, the expiry, and single use.
 */
let c: SfuNodesScenario;
let alice: TestClient;
const callId = 'tickets-0001';
const sockets: SfuTestClient[] = [];
beforeAll(async () => {
  c = await SfuNodesScenario.start(['sfu-a', 'sfu-b'], ['alice', 'bob']);
  alice = await c.s.signIn('alice', 'alice-laptop');
  const bob = await c.s.signIn('bob', 'bob-laptop');
  await answeredCall(alice, bob, 'bob', callId);
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await c.dispose();
});

async function joinCode(url: string, ticket: string): Promise<string> {
  const socket = await SfuTestClient.connect(url);
  sockets.push(socket);
  return errorCodeOf(socket.request('join', { ticket }));
}

const claims = { callId, userId: 'alice', role: 'participant', sessionId: 's1' } as const;

describe('media tickets at an SFU node', () => {
  it('admits a ticket once; a replay is refused and the peer it admitted stays', async () => {
    const { ticket, sfuUrl } = await alice.request('media.ticket', { callId });
    const { client } = await SfuTestClient.join(sfuUrl, ticket);
    sockets.push(client);
    expect(await joinCode(sfuUrl, ticket)).toBe('unauthorized');
    expect(await c.nodeOf(callId).roomUsers(callId)).toEqual(['alice']);
  });

  it('refuses a forged ticket: another key, the access-token key, or no audience', async () => {
    const url = c.nodeOf(callId).url;
    const forger = new TokenService('not-the-ticket-secret-not-the-ticket-secret', {
      accessSec: 60,
      refreshSec: 300,
    });
    expect(await joinCode(url, (await forger.issueMediaTicket(claims, 60, url)).ticket)).toBe(
      'unauthorized',
    );
    const accessKey = c.s.t.server.services.tokens;
    expect(await joinCode(url, (await accessKey.issueMediaTicket(claims, 60, url)).ticket)).toBe(
      'unauthorized',
    );
    const shared = new TokenService(TICKET_SECRET, { accessSec: 60, refreshSec: 300 });
    expect(await joinCode(url, (await shared.issueMediaTicket(claims, 60)).ticket)).toBe(
      'unauthorized',
    );
    // One character of the signature changed (its first: no padding bits in it).
    const [head, body, signature = ''] = (
      await shared.issueMediaTicket(claims, 60, url)
    ).ticket.split('.');
    const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const tampered = `${head}.${body}.${flipped}`;
    expect(await joinCode(url, tampered)).toBe('unauthorized');
  });

  it('refuses a ticket signed for the other node', async () => {
    const node = c.nodeOf(callId);
    const other = [...c.nodes.values()].find((n) => n.id !== node.id);
    if (!other) throw new Error('one node only');
    const { ticket } = await alice.request('media.ticket', { callId });
    expect(await joinCode(other.url, ticket)).toBe('unauthorized');
  });

  it('refuses an expired ticket with token-expired', async () => {
    const url = c.nodeOf(callId).url;
    const shared = new TokenService(TICKET_SECRET, { accessSec: 60, refreshSec: 300 });
    const { ticket } = await shared.issueMediaTicket(claims, 1, url);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await joinCode(url, ticket)).toBe('token-expired');
  });
});
