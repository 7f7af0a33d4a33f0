import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ElectronHttpExecutor } from 'electron-updater/out/electronHttpExecutor.js';
import { GenericProvider } from 'electron-updater/out/providers/GenericProvider.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericFeed } from './feed.js';

/**
 * electron-updater's own GenericProvider (the one `setFeedURL(genericFeed(url))` makes inside
 * the app) reading a real feed from a local HTTP server: the metadata fetch, its YAML parsing,
 * the platform's channel file and the installer URLs. Only the HTTP client differs: in the app
 * it is Electron's `net`, here Node's http (the provider does not care which).
 */
class NodeHttpExecutor extends ElectronHttpExecutor {
  // electron-updater's own executor with Node's http in place of Electron's `net.request`: the
  // request options it builds are http.request's, and the provider only reads the response.
  override createRequest(
    options: http.RequestOptions,
    callback: (response: IncomingMessage) => void,
  ): Electron.ClientRequest {
    return http.request(options, callback) as unknown as Electron.ClientRequest;
  }
}

const SHA = 'bWFkZS11cC1zaGE1MTItZm9yLXRoZS10ZXN0LW9ubHk=';
const LATEST_YML = `version: 1.4.0
files:
  - url: Trayphone-Setup-1.4.0.exe
    sha512: ${SHA}
    size: 91234567
path: Trayphone-Setup-1.4.0.exe
sha512: ${SHA}
releaseDate: '2026-12-01T10:00:00.000Z'
`;
const LINUX_YML = `version: 1.4.0
files:
  - url: Trayphone-1.4.0.AppImage
    sha512: ${SHA}
    size: 101234567
    blockMapSize: 12345
path: Trayphone-1.4.0.AppImage
sha512: ${SHA}
releaseDate: '2026-12-01T10:00:00.000Z'
`;

let server: http.Server;
let base: string;
const requested: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requested.push(req.url ?? '');
    const files: Record<string, string> = {
      '/trayphone/latest.yml': LATEST_YML,
      '/trayphone/latest-linux.yml': LINUX_YML,
      '/broken/latest.yml': 'version: [1.4.0\nfiles: {',
      '/empty/latest.yml': 'releaseDate: 2026-12-01\n',
    };
    const body = files[(req.url ?? '').split('?')[0] ?? ''];
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/yaml' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function provider(feedUrl: string, platform: 'win32' | 'linux' | 'darwin') {
  // The updater fields GenericProvider reads: the channel and the no-cache query switch.
  const updater = { channel: null, isAddNoCacheQuery: false };
  return new GenericProvider(genericFeed(feedUrl), updater as never, {
    executor: new NodeHttpExecutor(),
    platform,
    isUseMultipleRangeRequest: true,
  });
}

describe('the update feed (electron-updater GenericProvider against a local server)', () => {
  it('Windows reads latest.yml: version, installer URL under the feed, sha512', async () => {
    // No trailing slash on purpose: the feed is a folder either way.
    const feed = provider(`${base}/trayphone`, 'win32');
    const info = await feed.getLatestVersion();
    expect(info.version).toBe('1.4.0');
    const [file] = feed.resolveFiles(info);
    expect(file?.url.href).toBe(`${base}/trayphone/Trayphone-Setup-1.4.0.exe`);
    expect(file?.info.sha512).toBe(SHA);
    expect(requested).toContain('/trayphone/latest.yml');
  });

  it('Linux reads latest-linux.yml (the AppImage)', async () => {
    const feed = provider(`${base}/trayphone/`, 'linux');
    const info = await feed.getLatestVersion();
    expect(feed.resolveFiles(info)[0]?.url.pathname).toBe('/trayphone/Trayphone-1.4.0.AppImage');
    expect(requested).toContain('/trayphone/latest-linux.yml');
  });

  it('a missing channel file, bad YAML and metadata without files are errors, never an update', async () => {
    await expect(provider(`${base}/trayphone/`, 'darwin').getLatestVersion()).rejects.toMatchObject(
      { code: 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND' },
    );
    await expect(provider(`${base}/broken/`, 'win32').getLatestVersion()).rejects.toMatchObject({
      code: 'ERR_UPDATER_INVALID_UPDATE_INFO',
    });
    const feed = provider(`${base}/empty/`, 'win32');
    const empty = await feed.getLatestVersion();
    expect(() => feed.resolveFiles(empty)).toThrow(/No files provided/);
  });
});
