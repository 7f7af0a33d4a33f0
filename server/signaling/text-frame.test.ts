import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { textFrame, textFrameOnce } from './text-frame.js';

const texts = [
  '',
  'x'.repeat(125),
  'y'.repeat(126),
  'z'.repeat(65_535),
  'w'.repeat(65_536),
  '{"type":"call.updated","data":{"name":"Zoë 张伟 🎧"}}',
];

/**
 * A real ws client receiving the given frames, written raw onto the server side's socket the way
 * SignalingConnection writes them.
 */
async function receiveThroughWs(frames: Buffer[]): Promise<{ text: string; binary: boolean }[]> {
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  http.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, () => {
      for (const frame of frames) socket.write(frame);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${String(port)}`);
  const received: { text: string; binary: boolean }[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      client.on('message', (data: Buffer, binary: boolean) => {
        received.push({ text: data.toString('utf8'), binary });
        if (received.length === frames.length) resolve();
      });
      client.on('error', reject);
      client.on('close', () => {
        reject(new Error('closed before every frame arrived'));
      });
    });
  } finally {
    client.terminate();
    wss.close();
    http.close();
  }
  return received;
}

describe('textFrame', () => {
  it('heads each length as RFC 6455 says: 7-bit, 16-bit and 64-bit lengths', () => {
    expect([...textFrame('x'.repeat(125)).subarray(0, 2)]).toEqual([0x81, 125]);
    expect([...textFrame('x'.repeat(126)).subarray(0, 4)]).toEqual([0x81, 126, 0, 126]);
    expect([...textFrame('x'.repeat(65_536)).subarray(0, 10)]).toEqual([
      0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0,
    ]);
    expect(textFrame('é').length).toBe(2 + 2); // length in bytes, not characters
  });

  it('is read by a ws client as the same text messages, back to back', async () => {
    const received = await receiveThroughWs(texts.map(textFrame));
    expect(received).toEqual(texts.map((text) => ({ text, binary: false })));
  });

  it('builds a frame once for the same text sent again', () => {
    const first = textFrameOnce('{"a":1}');
    expect(textFrameOnce('{"a":1}')).toBe(first);
    const second = textFrameOnce('{"a":2}');
    expect(second).not.toBe(first);
    expect(second.equals(textFrame('{"a":2}'))).toBe(true);
  });
});
