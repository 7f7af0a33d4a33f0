import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import net from 'node:net';
import { headerLength, writeHeader } from '../../server/signaling/text-frame.js';

/**
 * A minimal RFC 6455 client for the load generators: text frames over a plain `net.Socket`.
 *
 * Why not `ws`: a generator holds 5,000 sockets and shares the two cores with the server it
 * measures, so its own pauses are part of every figure. Per frame, `ws` runs a Writable stream
 * for reading, splits each frame into a header and a payload write, and allocates a Buffer per
 * read; its scavenges were 5-30 ms and showed up as server latency. Here every socket reads into
 * one buffer shared by the process (`onread`: no stream, no allocation per read), a frame is
 * parsed in place and decoded straight to a string, and a frame is sent as one masked buffer.
 *
 * What it does not do, because the server never sends it: extensions (compression is off in
 * the handshake), fragmented messages, masked server frames. Any of them closes the socket with
 * an error naming it; a control frame is answered as the RFC says (ping → pong, close → close).
 */

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Larger frames are refused: the server caps payloads at 64 KB; its frames are far smaller. */
const MAX_FRAME_BYTES = 1 << 20;
const MAX_HANDSHAKE_BYTES = 8_192;

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** Every socket of the process reads here; a read is parsed before the next one can land. */
const sharedReadBuffer = Buffer.allocUnsafe(64 * 1024);

/** Masking keys come from a pool of crypto-random bytes refilled as it runs out (as `ws` does). */
const maskPool = Buffer.allocUnsafe(8 * 1024);
let maskOffset = maskPool.length;
function writeMask(frame: Buffer, at: number): void {
  if (maskOffset + 4 > maskPool.length) {
    randomFillSync(maskPool);
    maskOffset = 0;
  }
  maskPool.copy(frame, at, maskOffset, maskOffset + 4);
  maskOffset += 4;
}

export interface WireHandlers {
  /** The socket is upgraded: text frames may be sent. */
  onOpen(): void;
  onText(text: string): void;
  /** Called once, whatever ended the socket; `error` says why when it was not a clean close. */
  onClose(error: Error | undefined): void;
}

/** One masked client frame (FIN set) carrying `payload` (a string is sent as UTF-8). */
function encodeFrame(opcode: number, payload: string | Buffer): Buffer {
  const n = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const frame = Buffer.allocUnsafe(headerLength(n, true) + n);
  const mask = writeHeader(frame, opcode, n, true);
  writeMask(frame, mask);
  const header = mask + 4;
  if (typeof payload === 'string') frame.write(payload, header, 'utf8');
  else payload.copy(frame, header);
  for (let i = 0; i < n; i++)
    frame[header + i] = (frame[header + i] ?? 0) ^ (frame[mask + (i & 3)] ?? 0);
  return frame;
}

export class WireSocket {
  private readonly socket: net.Socket;
  private readonly key = randomBytes(16).toString('base64');
  private upgraded = false;
  /** Bytes of an incomplete handshake or frame, copied out of the shared read buffer. */
  private pending: Buffer | undefined;
  private closed = false;
  private failure: Error | undefined;

  constructor(
    url: string,
    private readonly handlers: WireHandlers,
  ) {
    const target = new URL(url);
    if (target.protocol !== 'ws:') throw new Error(`only ws: URLs are supported, got ${url}`);
    const host = target.hostname;
    const port = Number(target.port || 80);
    this.socket = net.connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: sharedReadBuffer,
        callback: (bytes: number, buffer: Uint8Array) => {
          this.onBytes(buffer as Buffer, bytes);
          return true;
        },
      },
    });
    this.socket.on('connect', () => {
      this.socket.write(
        `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Key: ${this.key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    this.socket.on('error', (error) => {
      this.failure ??= error;
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.handlers.onClose(this.failure);
    });
  }

  /** This end's TCP port (names the socket in a system-call trace of the server). */
  get localPort(): number | undefined {
    return this.socket.localPort;
  }

  /** Sends one text message (dropped once the socket is closing). */
  send(text: string): void {
    if (!this.upgraded || this.closed || this.socket.writableEnded) return;
    this.socket.write(encodeFrame(OP_TEXT, text));
  }

  /** Frames sent between cork and uncork leave in one write. */
  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  /** Ends the TCP connection at once, without a close handshake. */
  terminate(): void {
    this.socket.destroy();
  }

  private fail(message: string): void {
    this.failure ??= new Error(message);
    this.socket.destroy();
  }

  private onBytes(buffer: Buffer, bytes: number): void {
    let data = buffer;
    let start = 0;
    let end = bytes;
    if (this.pending) {
      data = Buffer.concat([this.pending, buffer.subarray(0, bytes)]);
      this.pending = undefined;
      end = data.length;
    }
    if (!this.upgraded) {
      start = this.readHandshake(data, end);
      if (start < 0) return;
    }
    const consumed = this.readFrames(data, start, end);
    // Whatever is left is an incomplete frame: keep a copy (the shared buffer is reused).
    if (consumed < end && !this.socket.destroyed)
      this.pending = Buffer.from(data.subarray(consumed, end));
  }

  /** Where the frames start, or -1 when the handshake is incomplete or failed. */
  private readHandshake(data: Buffer, end: number): number {
    const headerEnd = data.subarray(0, end).indexOf('\r\n\r\n');
    if (headerEnd < 0) {
      if (end > MAX_HANDSHAKE_BYTES) this.fail('handshake response too large');
      else this.pending = Buffer.from(data.subarray(0, end));
      return -1;
    }
    const head = data.toString('latin1', 0, headerEnd);
    const [statusLine = '', ...headerLines] = head.split('\r\n');
    if (!/^HTTP\/1\.1 101 /.test(statusLine)) {
      this.fail(`upgrade refused: ${statusLine}`);
      return -1;
    }
    const headers = new Map<string, string>();
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon > 0)
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const expected = createHash('sha1')
      .update(this.key + WS_GUID)
      .digest('base64');
    if (headers.get('sec-websocket-accept') !== expected) {
      this.fail('upgrade answered with a wrong Sec-WebSocket-Accept');
      return -1;
    }
    if (headers.has('sec-websocket-extensions')) {
      this.fail('the server negotiated an extension this client did not offer');
      return -1;
    }
    this.upgraded = true;
    this.handlers.onOpen();
    return headerEnd + 4;
  }

  /** Handles every complete frame in data[start, end); returns where the first incomplete one starts. */
  private readFrames(data: Buffer, start: number, end: number): number {
    let at = start;
    while (end - at >= 2 && !this.socket.destroyed) {
      const b0 = data[at] ?? 0;
      const b1 = data[at + 1] ?? 0;
      const opcode = b0 & 0x0f;
      if ((b0 & 0x70) !== 0) return this.failAt(end, 'reserved bits set (no extension agreed)');
      if ((b1 & 0x80) !== 0) return this.failAt(end, 'the server masked a frame');
      let length = b1 & 0x7f;
      let header = 2;
      if (length === 126) {
        if (end - at < 4) break;
        length = data.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (end - at < 10) break;
        if (data.readUInt32BE(at + 2) !== 0) return this.failAt(end, 'frame too large');
        length = data.readUInt32BE(at + 6);
        header = 10;
      }
      if (length > MAX_FRAME_BYTES) return this.failAt(end, 'frame too large');
      if (end - at < header + length) break;
      const payload = at + header;
      at = payload + length;
      if ((b0 & 0x80) === 0 || opcode === OP_CONTINUATION)
        return this.failAt(end, 'fragmented message (not used by the server)');
      if (opcode === OP_TEXT)
        this.handlers.onText(data.toString('utf8', payload, payload + length));
      else if (opcode === OP_PING)
        this.socket.write(encodeFrame(OP_PONG, data.subarray(payload, payload + length)));
      else if (opcode === OP_CLOSE) {
        this.socket.end(encodeFrame(OP_CLOSE, ''));
        return end;
      } else if (opcode !== OP_PONG) return this.failAt(end, `unexpected opcode ${opcode}`);
    }
    return at;
  }

  private failAt(end: number, message: string): number {
    this.fail(message);
    return end;
  }
}
