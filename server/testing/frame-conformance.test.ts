import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { RequestFailed, TestClient } from './test-client.js';
import { assertFrameConformance, takeFrameViolations } from './frame-conformance.js';

/** A loopback server that answers every frame with the given texts. */
async function replyingServer(replies: (requestId: number) => string[]): Promise<{
  url: string;
  close: () => Promise<void>;
}> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      const { id } = JSON.parse(data.toString('utf8')) as { id: number };
      for (const text of replies(id)) ws.send(text);
    });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        wss.close(() => {
          resolve();
        });
      }),
  };
}

describe('frame conformance of the test clients', () => {
  afterEach(() => {
    takeFrameViolations();
  });

  it('reports an event that does not match its schema, an unknown event and a bad result', async () => {
    const server = await replyingServer((id) => [
      JSON.stringify({ type: 'call.ringEnded', data: { callId: 'call-0001', reason: 'bored' } }),
      JSON.stringify({ type: 'no.such.event', data: {} }),
      JSON.stringify({ id, ok: true, data: { serverTime: 'noon' } }),
    ]);
    const client = await TestClient.connect(server.url);
    await expect(client.request('ping', {})).rejects.toThrow();
    const found = takeFrameViolations();
    expect(found).toHaveLength(3);
    expect(found[0]).toContain('call.ringEnded');
    expect(found[1]).toContain('unknown event no.such.event');
    expect(found[2]).toContain('bad ping result');
    await client.close();
    await server.close();
  });

  it('fails the check when a violation was reported, and passes on valid frames', async () => {
    const server = await replyingServer((id) => [
      JSON.stringify({ type: 'call.ringEnded', data: { callId: 'call-0001', reason: 'timeout' } }),
      JSON.stringify({ id, ok: false, error: { code: 'not-found', message: 'no' } }),
    ]);
    const client = await TestClient.connect(server.url);
    await expect(client.request('ping', {})).rejects.toBeInstanceOf(RequestFailed);
    expect(() => {
      assertFrameConformance('here');
    }).not.toThrow();
    client.sendRaw(JSON.stringify({ id: 99 }));
    await client.waitFor('call.ringEnded');
    await client.close();
    await server.close();
    const bad = await replyingServer(() => [JSON.stringify({ type: 'call.ringEnded', data: {} })]);
    const other = await TestClient.connect(bad.url);
    other.sendRaw(JSON.stringify({ id: 1 }));
    await expect.poll(() => other.invalidFrames.length).toBe(1);
    expect(() => {
      assertFrameConformance('here');
    }).toThrow(/1 frame\(s\) received here do not validate/);
    await other.close();
    await bad.close();
  });
});
