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
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (headerLength === 2) {
    frame[1] = length;
  } else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, headerLength, 'utf8');
  return frame;
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
