import { randomBytes } from 'node:crypto';
import { type Socket, connect } from 'node:net';

/** One frame the server sent: its opcode and payload. */
export interface RawWsFrame {
  opcode: number;
  payload: Buffer;
}

export const WS_OPCODE = { text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** A masked client frame (RFC 6455 §5.2) with any opcode and FIN/RSV bits, for raw writes. */
export function encodeClientFrame(
  payload: Buffer | string,
  options: { opcode?: number; fin?: boolean; rsv?: number; mask?: boolean } = {},
): Buffer {
  const { opcode = WS_OPCODE.text, fin = true, rsv = 0, mask = true } = options;
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const len = body.length;
  const lenBytes = len < 126 ? 0 : len < 65_536 ? 2 : 8;
  const header = Buffer.alloc(2 + lenBytes + (mask ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0xf);
  header[1] = (mask ? 0x80 : 0) | (lenBytes === 0 ? len : lenBytes === 2 ? 126 : 127);
  if (lenBytes === 2) header.writeUInt16BE(len, 2);
  if (lenBytes === 8) header.writeBigUInt64BE(BigInt(len), 2);
  if (!mask) return Buffer.concat([header, body]);
  const key = randomBytes(4);
  key.copy(header, 2 + lenBytes);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = body.readUInt8(i) ^ key.readUInt8(i & 3);
  return Buffer.concat([header, masked]);
}

/**
 * A WebSocket client on a bare TCP socket: it can write many frames in one TCP write (so the
 * server parses them in one turn, as a pipelining peer's would arrive) and frames no library
 * would send. Server frames are decoded; text frames are kept in `texts`.
 */
export class RawWebSocket {
  readonly frames: RawWsFrame[] = [];
  readonly texts: string[] = [];
  closed = false;
  private buffer = Buffer.alloc(0);
  private listeners: (() => void)[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  /** Opens `path` on `port` with a valid handshake; rejects unless the server answers 101. */
  static open(port: number, path: string, host = '127.0.0.1'): Promise<RawWebSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        const status = head.subarray(0, end).toString('latin1');
        if (!status.startsWith('HTTP/1.1 101')) {
          socket.destroy();
          reject(new Error(`upgrade refused: ${status.split('\r\n')[0]}`));
          return;
        }
        const ws = new RawWebSocket(socket);
        const rest = head.subarray(end + 4);
        if (rest.length > 0) socket.emit('data', rest);
        resolve(ws);
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.on('connect', () => {
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
            'Sec-WebSocket-Version: 13\r\n\r\n',
        );
      });
    });
  }

  /** Writes already encoded bytes (one TCP write). */
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends text frames in a single TCP write. */
  sendTexts(texts: readonly string[]): void {
    this.write(Buffer.concat(texts.map((t) => encodeClientFrame(t))));
  }

  /** Resolves once `check` holds (checked on every frame and on close) or rejects after `ms`. */
  until(check: () => boolean, ms = 5_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        reject(new Error(`raw socket: condition not met within ${ms} ms`));
      }, ms);
      const listener = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
        resolve();
      };
      this.listeners.push(listener);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private drain(): void {
    for (;;) {
      if (this.buffer.length < 2) break;
      const opcode = this.buffer.readUInt8(0) & 0xf;
      let len = this.buffer.readUInt8(1) & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (this.buffer.length < 4) break;
        len = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (this.buffer.length < 10) break;
        len = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + len) break;
      const payload = this.buffer.subarray(offset, offset + len);
      this.buffer = this.buffer.subarray(offset + len);
      this.frames.push({ opcode, payload });
      if (opcode === WS_OPCODE.text) this.texts.push(payload.toString('utf8'));
    }
    this.notify();
  }
}
