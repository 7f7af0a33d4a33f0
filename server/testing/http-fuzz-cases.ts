import type { Rng } from './fuzz-json.js';

/**
 * Raw HTTP for the fuzzers: requests no HTTP client would send (bad request lines, targets
 * `new URL` cannot parse, bad %-encoding, huge headers, broken upgrades, cut requests, pipelined
 * garbage), and paths that try to leave the static web root. Each is sent over plain TCP
 * (raw-http.ts); the server must answer below 500 or close, and keep serving.
 */

export interface HttpCase {
  name: string;
  bytes: string | Buffer;
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const upgradeTo = (target: string, headers: string): string =>
  `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n${headers}\r\n`;

/** Fixed cases: each kind of malformed request the HTTP and upgrade entry points must survive. */
export function fixedHttpCases(): HttpCase[] {
  const get = (target: string, extra = ''): string =>
    `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${extra}\r\n`;
  const cases: HttpCase[] = [
    // Request lines.
    { name: 'garbage line', bytes: 'GARBAGE\r\n\r\n' },
    { name: 'method only', bytes: 'GET\r\n\r\n' },
    { name: 'no version', bytes: 'GET /\r\n\r\n' },
    { name: 'HTTP/9.9', bytes: 'GET / HTTP/9.9\r\nHost: x\r\n\r\n' },
    { name: 'bad version', bytes: 'GET / FOO/1.1\r\nHost: x\r\n\r\n' },
    { name: 'leading space', bytes: ' GET / HTTP/1.1\r\nHost: x\r\n\r\n' },
    { name: 'lowercase method', bytes: 'get / HTTP/1.1\r\nHost: x\r\n\r\n' },
    { name: 'unknown method', bytes: 'BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n' },
    { name: 'bare LF', bytes: 'GET /healthz HTTP/1.1\nHost: x\n\n' },
    { name: 'NUL bytes', bytes: Buffer.from([0, 0, 0, 0, 13, 10, 13, 10]) },
    {
      name: 'TLS hello on plain port',
      bytes: Buffer.from('160301002c010000280303' + '00'.repeat(36), 'hex'),
    },
    // Targets new URL cannot parse, and others that are odd.
    { name: 'GET //a:b:c', bytes: get('//a:b:c') },
    { name: 'GET //[::1', bytes: get('//[::1') },
    { name: 'GET //:99999/', bytes: get('//:99999/') },
    { name: 'GET *', bytes: get('*') },
    { name: 'OPTIONS *', bytes: 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n' },
    { name: 'CONNECT', bytes: 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n' },
    { name: 'absolute-form', bytes: get('http://other.example/healthz') },
    { name: 'target with spaces', bytes: 'GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n' },
    { name: 'target 8 KB', bytes: get(`/${'a'.repeat(8_000)}`) },
    { name: 'target 70 KB', bytes: get(`/${'a'.repeat(70_000)}`) },
    // %-encoding.
    { name: 'lone %', bytes: get('/api/%') },
    { name: '%ZZ', bytes: get('/admin/users/%ZZ') },
    { name: 'cut UTF-8', bytes: get('/%E0%A4%A') },
    { name: 'overlong UTF-8', bytes: get('/assets/%C0%AF') },
    { name: '%00', bytes: get('/%00') },
    {
      name: 'bad % in admin',
      bytes: `POST /admin/users/%E0%A4%A/disable HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
    },
    // Headers.
    { name: 'header 20 KB', bytes: get('/healthz', `X-Big: ${'b'.repeat(20_000)}\r\n`) },
    { name: '2,000 headers', bytes: get('/healthz', 'X-A: 1\r\n'.repeat(2_000)) },
    { name: 'header without colon', bytes: get('/healthz', 'NoColonHere\r\n') },
    { name: 'header name with space', bytes: get('/healthz', 'Bad Name: 1\r\n') },
    { name: 'obs-fold', bytes: get('/healthz', 'X-A: 1\r\n folded\r\n') },
    { name: 'NUL in header', bytes: get('/healthz', 'X-A: a\u0000b\r\n') },
    {
      name: 'two Content-Length',
      bytes:
        'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}',
    },
    {
      name: 'CL and TE',
      bytes:
        'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    },
    {
      name: 'bad chunk',
      bytes:
        'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    },
    {
      name: 'negative Content-Length',
      bytes: 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
    },
    {
      name: 'body over the cap',
      bytes: `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200000\r\n\r\n${'{'.repeat(200_000)}`,
    },
    {
      name: 'JSON body not an object',
      bytes:
        'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\nnull',
    },
    {
      name: 'JSON with __proto__',
      bytes:
        'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 47\r\n\r\n{"__proto__":{"admin":true},"userId":"a","x":1}',
    },
    // Cut short (the connection closes after these bytes).
    { name: 'no final CRLF', bytes: 'GET /healthz HTTP/1.1\r\nHost: x\r\n' },
    { name: 'half a request line', bytes: 'GET /heal' },
    {
      name: 'body shorter than Content-Length',
      bytes: 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"userId"',
    },
    // Pipelined.
    {
      name: 'valid then garbage',
      bytes: 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n',
    },
    {
      name: 'garbage then valid',
      bytes: 'GARBAGE\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    },
    { name: '50 pipelined', bytes: 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(50) },
    {
      name: 'upgrade then bytes',
      bytes: `${upgradeTo('/nowhere', `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n`)}\u0000\u00ff garbage`,
    },
  ];
  // Upgrades: both sockets, every way the handshake can be wrong.
  for (const target of ['/ws', '/sfu']) {
    const bad: [string, string][] = [
      ['no key', 'Sec-WebSocket-Version: 13\r\n'],
      ['key x', 'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n'],
      ['key 1 KB', `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${'A'.repeat(1_024)}\r\n`],
      ['version 8', `Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: ${KEY}\r\n`],
      ['version abc', `Sec-WebSocket-Version: abc\r\nSec-WebSocket-Key: ${KEY}\r\n`],
      ['no version', `Sec-WebSocket-Key: ${KEY}\r\n`],
      [
        'two keys',
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Key: ${KEY}\r\n`,
      ],
      [
        'bad extension',
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=99; ;;\r\n`,
      ],
    ];
    for (const [name, headers] of bad) {
      cases.push({ name: `upgrade ${target}: ${name}`, bytes: upgradeTo(target, headers) });
    }
    cases.push({
      name: `upgrade ${target}: POST`,
      bytes: `POST ${target} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n\r\n`,
    });
    cases.push({
      name: `upgrade ${target}: Upgrade: h2c`,
      bytes: `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n`,
    });
  }
  for (const target of ['//a:b:c', '//[::1', '/ws%', '/ws?%ZZ', `/ws?${'q'.repeat(9_000)}`]) {
    cases.push({
      name: `upgrade ${target.slice(0, 20)}`,
      bytes: upgradeTo(target, `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n`),
    });
  }
  return cases;
}

/** A valid request, then mangled: bytes flipped, cut, CRLFs and hostile text put in. */
export function randomHttpCase(rng: Rng): HttpCase {
  const targets = [
    '/healthz',
    '/ws',
    '/sfu',
    '/api/auth/login',
    '/admin/users',
    '/',
    '/assets/x.js',
  ];
  const target = rng.pick(targets);
  const upgrade = rng.chance(0.4);
  let text =
    `${rng.pick(['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS'])} ${target} HTTP/1.1\r\n` +
    `Host: x\r\n${upgrade ? `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n` : 'Connection: close\r\n'}` +
    `Content-Length: 2\r\n\r\n{}`;
  for (let n = rng.range(1, 4); n > 0; n--) {
    const at = rng.int(text.length);
    text = rng.pick<() => string>([
      () => text.slice(0, at) + text.slice(at + rng.range(1, 8)),
      () =>
        text.slice(0, at) +
        rng.pick(['\r\n', '\r', '\n', ' ', ':', '%', '\u0000', '//']) +
        text.slice(at),
      () => text.slice(0, at) + rng.text(rng.range(1, 20)) + text.slice(at),
      () => text.slice(0, at),
      () => text.slice(0, at) + String.fromCharCode(rng.int(256)) + text.slice(at + 1),
    ])();
  }
  // latin1: every char one byte, so non-ASCII arrives as the raw bytes a fuzzer means.
  return {
    name: `random: ${JSON.stringify(text.slice(0, 60))}`,
    bytes: Buffer.from(text, 'latin1'),
  };
}

/** Paths that try to reach outside the web root (sent as the request target, unnormalised). */
export function traversalTargets(outsideName: string): string[] {
  const n = outsideName;
  return [
    `/../${n}`,
    `/../../${n}`,
    `/assets/../../${n}`,
    `/%2e%2e/${n}`,
    `/%2e%2e%2f${n}`,
    `/..%2f${n}`,
    `/%2E%2E%2F%2E%2E%2F${n}`,
    `/..%5c${n}`,
    `/..\\${n}`,
    `/.\\..\\${n}`,
    `/%252e%252e%252f${n}`,
    `/%c0%ae%c0%ae/${n}`,
    `/..%00/${n}`,
    `/${n}%00.html`,
    `/index.html%00/../../${n}`,
    `//${n}`,
    `/%2f..%2f${n}`,
    '/etc/passwd',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/../../../../../../etc/passwd',
    '/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
    `http://x/../${n}`,
    '/link-out.txt',
    '/link-dir/secret.txt',
    '/link-dir/',
    '/assets/link-up/secret.txt',
  ];
}
