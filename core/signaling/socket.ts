/**
 * The part of a WebSocket the client uses: the browser's WebSocket and the `ws` package's both
 * fit, so the same client runs in the renderer, in a page and in Node (Electron's main process,
 * tests).
 */
/**
 * Handler types are checked bivariantly (declared through a method), so the browser's and the
 * `ws` package's richer event types both fit the little this client reads of them.
 */
type Handler<E> = { bivarianceHack(ev: E): unknown }['bivarianceHack'];

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

export type SocketFactory = (url: string) => WebSocketLike;

export const SOCKET_OPEN = 1;
