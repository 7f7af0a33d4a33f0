/**
 * The feed electron-updater reads: its "generic" provider, a folder served over https that holds
 * `latest.yml` (Windows), `latest-mac.yml` (macOS) and `latest-linux.yml` (AppImage), each naming
 * the installer with its sha512, as `electron-builder --publish` writes them. The updater picks
 * the file for its platform, fetches it through Electron's `net` (the system proxy and the OS
 * trust store), compares versions and downloads the installer, verifying the sha512 (and, on
 * Windows, the installer's Authenticode publisher against the running app's).
 */
export interface GenericFeed {
  provider: 'generic';
  url: string;
  /** `latest` → latest.yml / latest-mac.yml / latest-linux.yml. */
  channel: 'latest';
  /** Differential downloads use multi-range requests; plain static servers handle them. */
  useMultipleRangeRequest: boolean;
}

/** The feed is the policy's URL as IT wrote it (electron-updater adds a missing trailing slash). */
export function genericFeed(feedUrl: string): GenericFeed {
  return { provider: 'generic', url: feedUrl, channel: 'latest', useMultipleRangeRequest: true };
}
