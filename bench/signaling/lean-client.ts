import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../protocol/version.js';

/** Request id of `hello`; call requests use positive ids (see call-cycles.ts). */
export const HELLO_ID = 0;

const DEVICE = { id: 'bench-dev', name: 'bench', platform: 'linux' } as const;

export interface Session {
  readonly socket: WebSocket;
  /** Resolves once the server accepted `hello`; rejects on an error answer, close or timeout. */
  readonly ready: Promise<void>;
  /** The TCP socket under the WebSocket, once upgraded: corked around frames sent together. */
  transport(): Socket | undefined;
}

/**
 * One signed-in device, without the reference client's schema checks: a `ws` socket that says
 * `hello` on open and, after the answer, hands every frame's text to `onFrame`.
 */
export function openSession(
  url: string,
  token: string,
  handlers: { onFrame: (text: string) => void; onClose: () => void },
  timeoutMs: number,
): Session {
  const socket = new WebSocket(url, {
    perMessageDeflate: false,
    skipUTF8Validation: true,
    handshakeTimeout: timeoutMs,
  });
  let signedIn = false;
  let transport: Socket | undefined;
  socket.on('upgrade', (response) => {
    transport = response.socket;
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('hello timeout'));
    }, timeoutMs);
    socket.on('open', () => {
      socket.send(
        JSON.stringify({
          id: HELLO_ID,
          type: 'hello',
          data: { protocol: PROTOCOL_VERSION, token, device: DEVICE },
        }),
      );
    });
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      if (signedIn) {
        handlers.onFrame(text);
        return;
      }
      const frame = JSON.parse(text) as { id?: unknown; ok?: unknown; error?: { code?: string } };
      if (frame.id !== HELLO_ID) return;
      clearTimeout(timer);
      if (frame.ok === true) {
        signedIn = true;
        resolve();
      } else {
        socket.close();
        reject(new Error(`hello refused: ${frame.error?.code ?? 'unknown'}`));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (signedIn) handlers.onClose();
      else reject(new Error('closed before hello'));
    });
  });
  return { socket, ready, transport: () => transport };
}

const OK_PREFIX = '{"id":';
const TYPE_PREFIX = '{"type":"';

/**
 * Cheap reads of the server's frames (JSON.stringify of `{id, ok, data}` / `{type, data}`), so
 * most frames skip JSON.parse. Each returns undefined unless the frame has exactly that shape;
 * the caller then parses the frame in full, so an unexpected encoding is never misread.
 */
export function okResponseId(text: string): number | undefined {
  if (!text.startsWith(OK_PREFIX)) return undefined;
  let id = 0;
  let i = OK_PREFIX.length;
  for (; i < text.length && i < OK_PREFIX.length + 15; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    id = id * 10 + (c - 48);
  }
  if (i === OK_PREFIX.length) return undefined;
  return text.startsWith(',"ok":true,', i) ? id : undefined;
}

export function eventType(text: string): string | undefined {
  if (!text.startsWith(TYPE_PREFIX)) return undefined;
  const end = text.indexOf('"', TYPE_PREFIX.length);
  if (end < 0 || end > TYPE_PREFIX.length + 64) return undefined;
  return text.slice(TYPE_PREFIX.length, end);
}
