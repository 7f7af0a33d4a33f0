/**
 * Server-to-client WebSocket text frames (RFC 6455 section 5.2: FIN, opcode 1 text, unmasked),
 * built here instead of by ws's Sender, which writes a header buffer and the string as two
 * chunks: under load the stream machinery per chunk and the per-frame bookkeeping were a tenth of
 * the server's time. One buffer per frame, and a frame sent to several devices in a row (a call's
 * participants) is built once.
 *
 * Writing these onto the socket under ws is sound because every ws write is synchronous while
 * per-message compression is off (it is, in app.ts): frames never interleave.
 */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const frame = Buffer.allocUnsafe(headerLength(length, false) + length);
  frame.write(text, writeHeader(frame, 0x1, length, false), 'utf8');
  return frame;
}

/** Header bytes of a frame carrying `length` payload bytes; a masked one adds its 4-byte key. */
export function headerLength(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 65_536 ? 4 : 10) + (masked ? 4 : 0);
}

/**
 * Writes a final frame's header (FIN, `opcode`, the payload length in its smallest form) at the
 * start of `frame`, and returns where the masking key (when `masked`) or else the payload goes.
 */
export function writeHeader(
  frame: Buffer,
  opcode: number,
  length: number,
  masked: boolean,
): number {
  frame[0] = 0x80 | opcode;
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) {
    frame[1] = maskBit | length;
    return 2;
  }
  if (length < 65_536) {
    frame[1] = maskBit | 126;
    frame.writeUInt16BE(length, 2);
    return 4;
  }
  frame[1] = maskBit | 127;
  frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  frame.writeUInt32BE(length >>> 0, 6);
  return 10;
}

let lastText: string | undefined;
let lastFrame: Buffer | undefined;

/** `textFrame`, reusing the frame of the previous call when the text is the same. */
export function textFrameOnce(text: string): Buffer {
  if (text !== lastText || lastFrame === undefined) {
    lastFrame = textFrame(text);
    lastText = text;
  }
  return lastFrame;
}
