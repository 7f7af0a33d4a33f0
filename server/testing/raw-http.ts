import { connect } from 'node:net';

/** What came back on a raw TCP connection: the bytes as text, the status line's code if any. */
export interface RawExchange {
  text: string;
  status: number | undefined;
  /** The server closed (or reset) the connection before the wait was over. */
  closed: boolean;
}

/**
 * Sends bytes to a port over plain TCP (no HTTP client in the way, so anything can be sent:
 * bad request lines, half a request, binary) and collects what the server answers until it
 * closes the connection or `waitMs` passed.
 */
export function rawExchange(
  port: number,
  request: string | Buffer,
  options: { waitMs?: number; host?: string } = {},
): Promise<RawExchange> {
  const { waitMs = 2_000, host = '127.0.0.1' } = options;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let closed = false;
    const socket = connect(port, host);
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      resolve({ text, status: status === undefined ? undefined : Number(status), closed });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('connect', () => {
      socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
  });
}

/** The JSON body of a raw HTTP response (after the blank line), or undefined. */
export function rawJsonBody(text: string): unknown {
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
