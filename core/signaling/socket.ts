/**
 * The part of a WebSocket the client uses: the browser's WebSocket and the `ws` package's both
 * fit, so the same client runs in the renderer, in a page and in Node (Electron's main process,
 * tests).
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((this: unknown, ev: never) => unknown) | null;
  onmessage: ((this: unknown, ev: { data: unknown }) => unknown) | null;
  onclose: ((this: unknown, ev: { code: number; reason: string }) => unknown) | null;
  onerror: ((this: unknown, ev: never) => unknown) | null;
}

export type SocketFactory = (url: string) => WebSocketLike;

export const SOCKET_OPEN = 1;
