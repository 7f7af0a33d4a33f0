import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';

describe('store configuration', () => {
  it('defaults to SQLite, with no PostgreSQL section', () => {
    const config = loadConfig({});
    expect(config.store).toBe('sqlite');
    expect(config.postgres).toBeUndefined();
  });

  it('takes PostgreSQL from the environment, the pool size defaulting to 10', () => {
    const config = loadConfig({
      env: { TRAYPHONE_STORE: 'postgres', TRAYPHONE_POSTGRES_URL: 'postgres://tp@db:5432/tp' },
    });
    expect(config.store).toBe('postgres');
    expect(config.postgres).toEqual({ url: 'postgres://tp@db:5432/tp', poolSize: 10 });
    const sized = loadConfig({
      overrides: { store: 'postgres', postgres: { url: 'postgresql://db/tp', poolSize: 4 } },
    });
    expect(sized.postgres?.poolSize).toBe(4);
  });

  it('refuses store=postgres without a URL, saying which key is missing', () => {
    expect(() => loadConfig({ overrides: { store: 'postgres' } })).toThrow(ConfigError);
    expect(() => loadConfig({ overrides: { store: 'postgres' } })).toThrow(
      /postgres\.url: store is "postgres" but no postgres\.url is set/,
    );
  });

  it('refuses an unknown store and a URL that is not PostgreSQL', () => {
    expect(() => loadConfig({ env: { TRAYPHONE_STORE: 'mysql' } })).toThrow(/store/);
    expect(() =>
      loadConfig({ overrides: { store: 'postgres', postgres: { url: 'mysql://db/tp' } } }),
    ).toThrow(/postgres\.url: a postgres:\/\/ or postgresql:\/\/ URL/);
  });
});
