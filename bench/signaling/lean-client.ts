import { PROTOCOL_VERSION } from '../../protocol/version.js';
import { WireSocket } from './wire-socket.js';

/** Request id of `hello`; call requests use positive ids (see call-cycles.ts). */
export const HELLO_ID = 0;

const DEVICE = { id: 'bench-dev', name: 'bench', platform: 'linux' } as const;

export interface Session {
  /** Resolves once the server accepted `hello`; rejects on an error answer, close or timeout. */
  readonly ready: Promise<void>;
  send(text: string): void;
  /** Frames sent between cork and uncork leave in one write, as a real client's would. */
  cork(): void;
  uncork(): void;
  terminate(): void;
  /** The client end's TCP port, once connected. */
  localPort(): number | undefined;
}

/**
 * One signed-in device, without the reference client's schema checks: a WebSocket that says
 * `hello` on open and, after the answer, hands every frame's text to `onFrame`.
 */
export function openSession(
  url: string,
  token: string,
  handlers: { onFrame: (text: string) => void; onClose: () => void },
  timeoutMs: number,
): Session {
  let signedIn = false;
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const finish = (error?: Error): void => {
    clearTimeout(timer);
    if (error) settle?.reject(error);
    else settle?.resolve();
    settle = undefined;
  };
  const wire = new WireSocket(url, {
    onOpen: () => {
      wire.send(
        JSON.stringify({
          id: HELLO_ID,
          type: 'hello',
          data: { protocol: PROTOCOL_VERSION, token, device: DEVICE },
        }),
      );
    },
    onText: (text) => {
      if (signedIn) {
        handlers.onFrame(text);
        return;
      }
      const frame = JSON.parse(text) as { id?: unknown; ok?: unknown; error?: { code?: string } };
      if (frame.id !== HELLO_ID) return;
      if (frame.ok === true) {
        signedIn = true;
        finish();
      } else {
        wire.terminate();
        finish(new Error(`hello refused: ${frame.error?.code ?? 'unknown'}`));
      }
    },
    onClose: (error) => {
      if (signedIn) handlers.onClose();
      else finish(error ?? new Error('closed before hello'));
    },
  });
  const timer = setTimeout(() => {
    wire.terminate();
    finish(new Error('hello timeout'));
  }, timeoutMs);
  return {
    ready,
    send: (text) => {
      wire.send(text);
    },
    cork: () => {
      wire.cork();
    },
    uncork: () => {
      wire.uncork();
    },
    terminate: () => {
      wire.terminate();
    },
    localPort: () => wire.localPort,
  };
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
