import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Route } from './http-kit.js';

/**
 * Serves the built web client (a plain directory, `webRoot`, by default `dist/web`): files with
 * their content types, `index.html` for client routes, a strict Content-Security-Policy, and
 * nothing outside the directory. The server never imports client code; it only reads files.
 */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * No inline script or style anywhere; media from the page's own streams; connections to the
 * server the user signs in to (any http/ws origin: the sign-in screen accepts another server).
 */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "font-src 'self'",
  "connect-src 'self' http: https: ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths that belong to the API: never answered with the client's index.html. */
const API_PREFIXES = ['/api/', '/admin/', '/ws', '/sfu', '/healthz', '/metrics'];

const securityHeaders = {
  'content-security-policy': WEB_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

const isInside = (root: string, file: string): boolean =>
  file === root || file.startsWith(root + path.sep);

/**
 * A regular file whose real path (symlinks followed) is inside `root`: that path and its size,
 * else undefined. A link in the web root must not serve what lies outside it.
 */
async function fileIn(
  root: string,
  file: string,
): Promise<{ real: string; size: number } | undefined> {
  try {
    const [realRoot, real] = await Promise.all([realpath(root), realpath(file)]);
    if (!isInside(realRoot, real)) return undefined;
    const s = await stat(real);
    return s.isFile() ? { real, size: s.size } : undefined;
  } catch {
    return undefined;
  }
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  size: number,
  cache: string,
): void {
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    ...securityHeaders,
    'content-type': type,
    'content-length': size,
    'cache-control': cache,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // The file can vanish or turn unreadable between stat and open (a redeploy of the web root):
  // a stream's unheard 'error' would end the process, so the response is cut off instead.
  createReadStream(file)
    .on('error', () => {
      res.destroy();
    })
    .pipe(res);
}

export function staticRoute(webRoot: string): Route {
  const root = path.resolve(webRoot);
  const index = path.join(root, 'index.html');
  return async (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = url.pathname;
    if (
      API_PREFIXES.some((p) => pathname === p || pathname.startsWith(p.endsWith('/') ? p : `${p}/`))
    )
      return false;
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return false;
    }
    if (decoded.includes('\0')) return false;
    // Resolve inside the root and refuse anything that lands outside it (../, encoded or not).
    const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
    if (!isInside(root, file)) return false;

    const found = file === root ? undefined : await fileIn(root, file);
    if (found) {
      // Vite puts content hashes in asset names: those never change; everything else revalidates.
      const hashed = decoded.startsWith('/assets/');
      send(
        req,
        res,
        found.real,
        found.size,
        hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
      return true;
    }
    // A client route (no file extension): the app's index.html handles it.
    if (path.extname(decoded) !== '') return false;
    const indexFile = await fileIn(root, index);
    if (!indexFile) {
      if (pathname !== '/') return false;
      const text = 'The web client is not built yet: run `npm run build:web`.\n';
      res.writeHead(503, { ...securityHeaders, 'content-type': 'text/plain; charset=utf-8' });
      res.end(text);
      return true;
    }
    send(req, res, indexFile.real, indexFile.size, 'no-cache');
    return true;
  };
}
