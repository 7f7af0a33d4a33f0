import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_CSP, staticRoute } from './static-route.js';

let dir: string;
let server: Server;
let base: string;

/** A raw GET: fetch() would normalize `..` away before it reaches the server. */
function get(
  rawPath: string,
  method = 'GET',
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${rawPath}`, { method, path: rawPath }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static web client route', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trayphone-web-'));
    const web = path.join(dir, 'web');
    mkdirSync(path.join(web, 'assets'), { recursive: true });
    writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(path.join(web, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(web, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(path.join(dir, 'secret.txt'), 'do not serve');
    const route = staticRoute(web);
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      void route(req, res, url).then((handled) => {
        if (!handled) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"error":{"code":"not-found"}}');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / with a strict CSP and no-cache', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(WEB_CSP);
    expect(WEB_CSP).not.toContain('unsafe-inline');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toContain('<title>app</title>');
  });

  it('serves hashed assets with their content types and a long cache', async () => {
    const js = await get('/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    const css = await get('/assets/index-abc123.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await get('/assets/index-abc123.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('falls back to index.html for client routes, but not for missing files or API paths', async () => {
    expect((await get('/history')).body).toContain('<title>app</title>');
    expect((await get('/ringing/abc')).status).toBe(200);
    expect((await get('/assets/missing.js')).status).toBe(404);
    expect((await get('/api/auth/nothing')).status).toBe(404);
    expect((await get('/admin/users')).status).toBe(404);
  });

  it('never serves a file outside the web root', async () => {
    for (const p of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%2fsecret.txt',
      '/%00index.html',
    ]) {
      const res = await get(p);
      expect(res.body, p).not.toContain('do not serve');
    }
  });

  it('says how to build the client when the web root is empty', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'trayphone-web-empty-'));
    const route = staticRoute(empty);
    const s = createServer((req, res) => {
      void route(req, res, new URL(req.url ?? '/', 'http://localhost')).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:web');
    await new Promise((r) => s.close(r));
    rmSync(empty, { recursive: true, force: true });
  });
});
