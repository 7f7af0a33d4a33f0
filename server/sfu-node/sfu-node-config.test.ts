import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';

const SECRET = 'sfu-nodes-ticket-secret-0123456789abcdef';

describe('serve roles (sfuNodes, cluster.redisUrl)', () => {
  it('defaults to all, which needs nothing more (embedded mode as it was)', () => {
    expect(loadConfig({}).role).toBe('all');
  });

  it('refuses an sfu node without Redis, ticket secret or public URL, naming each', () => {
    const error = (() => {
      try {
        loadConfig({ overrides: { role: 'sfu' } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('sfuNodes.redisUrl (or cluster.redisUrl): role sfu needs Redis');
    expect(message).toContain('sfuNodes.ticketSecret');
    expect(message).toContain('sfuNodes.publicUrl');
  });

  it('refuses a signaling node without Redis, and a bad URL or role from the environment', () => {
    expect(() =>
      loadConfig({ overrides: { role: 'signaling', sfuNodes: { ticketSecret: SECRET } } }),
    ).toThrow(/cluster\.redisUrl/);
    expect(() => loadConfig({ env: { TRAYPHONE_ROLE: 'media' } })).toThrow(/role/);
    expect(() =>
      loadConfig({ env: { TRAYPHONE_ROLE: 'sfu', TRAYPHONE_SFU_PUBLIC_URL: 'http://sfu1/x' } }),
    ).toThrow(/sfuNodes\.publicUrl: a ws:\/\/ or wss:\/\/ URL ending in \/sfu/);
  });

  it('takes a complete sfu node from the environment', () => {
    const config = loadConfig({
      env: {
        TRAYPHONE_ROLE: 'sfu',
        TRAYPHONE_REDIS_URL: 'redis://10.0.0.5:6379',
        TRAYPHONE_SFU_PUBLIC_URL: 'wss://sfu1.example.com/sfu',
        TRAYPHONE_SFU_TICKET_SECRET: SECRET,
        TRAYPHONE_SFU_NODE_ID: 'sfu1',
      },
    });
    expect(config).toMatchObject({
      role: 'sfu',
      cluster: { redisUrl: 'redis://10.0.0.5:6379' },
      sfuNodes: { id: 'sfu1', publicUrl: 'wss://sfu1.example.com/sfu', heartbeatIntervalMs: 1000 },
    });
  });
});
