import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const tmpFile = (content: string): string => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'trayphone-config-')), 'config.json');
  writeFileSync(file, content);
  return file;
};

describe('loadConfig', () => {
  it('gives working defaults with nothing configured', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8480);
    expect(config.signaling.deadAfterMs).toBe(30_000);
    expect(config.signaling.authTimeoutMs).toBe(10_000);
    expect(config.signaling.maxFrameBytes).toBe(65_536);
    expect(config.calls.defaultRingTimeoutMs).toBe(60_000);
    expect(config.calls.rejoinWindowMs).toBe(30_000);
  });

  it('lets the environment override the file, and code override both', () => {
    const file = tmpFile(JSON.stringify({ port: 9000, host: '0.0.0.0', logLevel: 'debug' }));
    const config = loadConfig({
      file,
      env: { TRAYPHONE_PORT: '9100', TRAYPHONE_WEBHOOK_URL: 'http://127.0.0.1:1/hook' },
      overrides: { logLevel: 'warn' },
    });
    expect(config.port).toBe(9100);
    expect(config.host).toBe('0.0.0.0');
    expect(config.logLevel).toBe('warn');
    expect(config.webhook.url).toBe('http://127.0.0.1:1/hook');
  });

  it('keeps nested defaults when a file sets one nested field', () => {
    const file = tmpFile(JSON.stringify({ signaling: { deadAfterMs: 5000 } }));
    const config = loadConfig({ file });
    expect(config.signaling.deadAfterMs).toBe(5000);
    expect(config.signaling.heartbeatIntervalMs).toBe(10_000);
  });

  it('lists every problem of an invalid configuration', () => {
    const file = tmpFile(JSON.stringify({ port: 'eighty', auth: { adminApiKey: 'short' } }));
    expect(() => loadConfig({ file })).toThrow(ConfigError);
    expect(() => loadConfig({ file })).toThrow(/port[\s\S]*auth\.adminApiKey/);
  });

  it('reports a file that is not JSON, or not an object', () => {
    expect(() => loadConfig({ file: tmpFile('{ nope') })).toThrow(/cannot read config file/);
    expect(() => loadConfig({ file: tmpFile('[1,2]') })).toThrow(/must hold a JSON object/);
    expect(() => loadConfig({ file: '/nonexistent/trayphone.json' })).toThrow(ConfigError);
  });

  it('caps connections per address and devices per user, high enough for an office behind NAT', () => {
    const timeouts = { headersTimeoutMs: 20_000, requestTimeoutMs: 60_000, trustedProxies: [] };
    expect(loadConfig({}).limits).toEqual({
      connectionsPerAddress: 2_000,
      devicesPerUser: 20,
      ...timeouts,
    });
    const file = tmpFile(JSON.stringify({ limits: { devicesPerUser: 3 } }));
    expect(loadConfig({ file }).limits).toEqual({
      connectionsPerAddress: 2_000,
      devicesPerUser: 3,
      ...timeouts,
    });
    expect(() =>
      loadConfig({ overrides: { limits: { headersTimeoutMs: 70_000, requestTimeoutMs: 60_000 } } }),
    ).toThrow(/limits\.headersTimeoutMs/);
    expect(() => loadConfig({ overrides: { limits: { connectionsPerAddress: 0 } } })).toThrow(
      /limits\.connectionsPerAddress/,
    );
    expect(
      loadConfig({ overrides: { limits: { trustedProxies: ['10.0.0.5', 'fd00::/8'] } } }).limits
        .trustedProxies,
    ).toEqual(['10.0.0.5', 'fd00::/8']);
    expect(() =>
      loadConfig({ overrides: { limits: { trustedProxies: ['10.0.0.0/33'] } } }),
    ).toThrow(/trustedProxies.*CIDR/s);
  });

  it('gives sessions a renew grace of 60 s after their token expires, 0 to 3600 s when set', () => {
    expect(loadConfig({}).auth.sessionRenewGraceSec).toBe(60);
    const file = tmpFile(JSON.stringify({ auth: { sessionRenewGraceSec: 0 } }));
    expect(loadConfig({ file }).auth.sessionRenewGraceSec).toBe(0);
    expect(loadConfig({ file }).auth.accessTokenTtlSec).toBe(3600);
    for (const bad of [-1, 1.5, 3601, '60']) {
      expect(() =>
        loadConfig({ overrides: { auth: { sessionRenewGraceSec: bad as number } } }),
      ).toThrow(/auth\.sessionRenewGraceSec/);
    }
  });

  it('rejects a non-numeric port from the environment', () => {
    expect(() => loadConfig({ env: { TRAYPHONE_PORT: 'x' } })).toThrow(/port/);
  });
});
