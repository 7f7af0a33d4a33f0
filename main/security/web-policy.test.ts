import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, devOrigin, isOwnRendererUrl } from './origins.js';
import {
  appContentType,
  contentSecurityPolicy,
  isAllowedNavigation,
  permissionGranted,
  resolveAppRequest,
  serverOrigins,
} from './web-policy.js';

const origins = { app: APP_ORIGIN };
const dev = { app: APP_ORIGIN, dev: 'http://localhost:5173' };

describe('CSP', () => {
  it('allows connections only to the configured server (http + ws forms)', () => {
    const csp = contentSecurityPolicy(['wss://phone.example.com:8443/ws']);
    const connect = csp.split('; ').find((d) => d.startsWith('connect-src'));
    expect(connect).toBe(
      "connect-src 'self' https://phone.example.com:8443 wss://phone.example.com:8443",
    );
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('plain servers get http/ws; junk URLs add nothing', () => {
    expect(serverOrigins('http://127.0.0.1:8480')).toEqual([
      'http://127.0.0.1:8480',
      'ws://127.0.0.1:8480',
    ]);
    expect(serverOrigins("wss://x.example/'; script-src *")).toEqual([
      'https://x.example',
      'wss://x.example',
    ]);
    for (const bad of ['', 'not a url', 'javascript:alert(1)', 'file:///etc', 'ftp://x']) {
      expect(serverOrigins(bad)).toEqual([]);
    }
  });

  it('development adds the dev server and its HMR socket', () => {
    const csp = contentSecurityPolicy([], dev.dev);
    expect(csp).toContain("script-src 'self' http://localhost:5173;");
    expect(csp).toContain('ws://localhost:5173');
  });
});

describe('navigation and permissions', () => {
  it('navigation stays inside our renderer', () => {
    expect(isAllowedNavigation(`${APP_ORIGIN}/index.html#/history`, origins)).toBe(true);
    for (const url of [
      'https://evil.example',
      'file:///etc/passwd',
      'app://evil/',
      'about:blank',
    ]) {
      expect(isAllowedNavigation(url, origins)).toBe(false);
    }
    expect(isAllowedNavigation('http://localhost:5173/#/x', dev)).toBe(true);
    expect(isAllowedNavigation('http://localhost:5174/', dev)).toBe(false);
  });

  it('the dev origin is accepted only on loopback http', () => {
    expect(devOrigin('http://localhost:5173/')).toBe('http://localhost:5173');
    expect(devOrigin('http://evil.example:5173/')).toBeUndefined();
    expect(devOrigin('https://localhost:5173/')).toBeUndefined();
    expect(devOrigin(undefined)).toBeUndefined();
    expect(isOwnRendererUrl('not a url', dev)).toBe(false);
  });

  it.each([
    ['media', `${APP_ORIGIN}/index.html`, true, true],
    ['speaker-selection', `${APP_ORIGIN}/shell/ringer/ringer.html`, true, true],
    ['media', 'https://evil.example/', true, false],
    ['media', `${APP_ORIGIN}/index.html`, false, false],
    ['geolocation', `${APP_ORIGIN}/index.html`, true, false],
    ['notifications', `${APP_ORIGIN}/index.html`, true, false],
    ['openExternal', `${APP_ORIGIN}/index.html`, true, false],
  ])('%s for %s (main frame %s): granted %s', (permission, requestingUrl, isMainFrame, granted) => {
    expect(permissionGranted({ permission, requestingUrl, isMainFrame }, origins)).toBe(granted);
  });
});

describe('app:// file mapping', () => {
  const roots = { renderer: '/opt/t/renderer', shell: '/opt/t/resources' };
  it.each([
    [`${APP_ORIGIN}/`, '/opt/t/renderer/index.html'],
    [`${APP_ORIGIN}/index.html?x=1#/ringing/abc`, '/opt/t/renderer/index.html'],
    [`${APP_ORIGIN}/assets/app-1.js`, '/opt/t/renderer/assets/app-1.js'],
    [
      `${APP_ORIGIN}/shell/sounds/ringtone-classic.wav`,
      '/opt/t/resources/sounds/ringtone-classic.wav',
    ],
  ])('%s → %s', (url, file) => {
    expect(resolveAppRequest(url, roots, origins)).toBe(path.resolve(file));
  });

  it('dot segments are resolved by URL parsing and stay inside the root', () => {
    for (const url of [`${APP_ORIGIN}/../etc/passwd`, `${APP_ORIGIN}/%2e%2e/%2e%2e/etc/passwd`]) {
      expect(resolveAppRequest(url, roots, origins)).toBe(
        path.resolve('/opt/t/renderer/etc/passwd'),
      );
    }
  });

  it.each([
    `${APP_ORIGIN}/assets/..%2F..%2Fsecret`,
    `${APP_ORIGIN}/shell/..%5c..%5csecret`,
    `${APP_ORIGIN}/a%00.html`,
    `${APP_ORIGIN}/%E0%A4%A`,
    'app://other/index.html',
    'https://trayphone/index.html',
  ])('refuses %s', (url) => {
    expect(resolveAppRequest(url, roots, origins)).toBeUndefined();
  });
});

describe('app:// content types', () => {
  it('serves the bundled ringtones as audio/wav, allowed by the CSP as same-origin media', () => {
    expect(appContentType('/opt/t/renderer/assets/ringtone-classic-4swQXcLW.wav')).toBe(
      'audio/wav',
    );
    expect(appContentType('/opt/t/renderer/index.html')).toBe('text/html; charset=utf-8');
    expect(appContentType('/opt/t/renderer/assets/index-1.js')).toMatch(/^text\/javascript/);
    expect(appContentType('/opt/t/renderer/assets/x.unknown')).toBeUndefined();
    expect(contentSecurityPolicy([])).toMatch(/(^|; )media-src 'self'/);
  });
});
