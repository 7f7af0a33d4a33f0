import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeviceInfo, TokenResponse } from '../../protocol/index.js';
import { type TrayphoneServer, startServer } from '../app.js';
import { type ServerConfigInput, loadConfig } from '../config.js';
import type { Route } from '../http/http-kit.js';
import { silentLogger } from '../logger.js';
import type { SfuService } from '../sfu/sfu-service.js';
import { TestClient } from './test-client.js';
import { testStoreConfig } from './test-store.js';

export interface TestServer {
  server: TrayphoneServer;
  dataDir: string;
  /** The SFU of a server started with media enabled. */
  sfu(): SfuService;
  /** Creates an account with password `password-<id>`. */
  addUser(userId: string, displayName?: string): Promise<void>;
  login(userId: string): Promise<TokenResponse>;
  /** Signs a user in on a device (a new connection). */
  connect(userId: string, device?: Partial<DeviceInfo>): Promise<TestClient>;
  /** Stops the server; the data directory stays until `dispose`. */
  stop(): Promise<void>;
  /** Starts a new server process-equivalent on the same data directory. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** A real server on 127.0.0.1 (random port) with a temporary data directory and short timeouts. */
export async function startTestServer(
  overrides: ServerConfigInput = {},
  options: {
    routes?: Route[];
    /** Token lifetimes below the configuration's minimums (StartOptions.tokenLifetimesSec). */
    tokenLifetimesSec?: { access?: number; refresh?: number };
  } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'trayphone-test-'));
  const config = loadConfig({
    overrides: {
      host: '127.0.0.1',
      port: 0,
      dataDir,
      logLevel: 'silent',
      ...(await testStoreConfig()),
      // Signaling tests need no media; media suites turn it on (one worker each).
      media: { enabled: false },
      sfu: { workers: 1 },
      auth: {
        jwtSecret: 'test-secret-test-secret-test-secret-0123',
        adminApiKey: 'admin-key-admin-key-admin-key-01',
      },
      ...overrides,
    },
  });
  const start = () =>
    startServer({
      config,
      logger: silentLogger(),
      // Every call snapshot the engine reuses is checked against the call as it is.
      verifyCallSnapshots: true,
      ...(options.routes ? { routes: options.routes } : {}),
      ...(options.tokenLifetimesSec ? { tokenLifetimesSec: options.tokenLifetimesSec } : {}),
    });
  const clients: TestClient[] = [];
  const handle: TestServer = {
    server: await start(),
    dataDir,
    sfu() {
      const { sfu } = handle.server;
      if (!sfu) throw new Error('this test server runs without media');
      return sfu;
    },
    async addUser(userId, displayName = userId) {
      await handle.server.services.stores.users.create({
        userId,
        displayName,
        password: `password-${userId}`,
      });
    },
    async login(userId) {
      const res = await fetch(`${handle.server.httpUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId, password: `password-${userId}` }),
      });
      if (!res.ok) throw new Error(`login ${userId}: ${res.status} ${await res.text()}`);
      return (await res.json()) as TokenResponse;
    },
    async connect(userId, device = {}) {
      const { accessToken } = await handle.login(userId);
      const { client } = await TestClient.signIn(handle.server.signalingUrl, accessToken, device);
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await handle.server.close();
    },
    async restart() {
      await handle.server.close();
      handle.server = await start();
    },
    async dispose() {
      await handle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
