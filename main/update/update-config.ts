import path from 'node:path';
import type { Policy } from '../settings/policy.js';
import type { UpdateOffReason } from '../../protocol/index.js';

/**
 * Whether this installation updates itself, and from where. The feed is the IT policy's
 * `autoUpdate.feedUrl` (https only: the policy schema refuses anything else), an electron-updater
 * "generic" feed: a folder holding `latest.yml` (Windows), `latest-mac.yml`, `latest-linux.yml`
 * and the installers they name.
 *
 * Per-machine installs (the MSI, NSIS "anyone on this computer", deb/rpm from the package
 * manager) are updated by whoever deployed them (Intune, SCCM, apt), so they do not update
 * themselves unless the policy says `enabled: true`; per-user installs (NSIS "only for me",
 * AppImage, a dragged-in .app) do when a feed is configured. `enabled: false` always wins.
 */

export type InstallScope = 'per-machine' | 'per-user';

export type UpdateConfig =
  { enabled: true; feedUrl: string } | { enabled: false; reason: UpdateOffReason };

/** How this copy was installed, read from where it runs. */
export function installScope(
  platform: NodeJS.Platform,
  execPath: string,
  env: Record<string, string | undefined>,
): InstallScope {
  if (platform === 'win32') {
    // Per-machine NSIS and the MSI install under Program Files; per-user under %LOCALAPPDATA%.
    const exe = path.win32.normalize(execPath).toLowerCase();
    const roots = [env.ProgramFiles, env['ProgramFiles(x86)'], env.ProgramW6432]
      .filter((root): root is string => root !== undefined && root !== '')
      .map((root) => `${path.win32.normalize(root).toLowerCase().replace(/\\$/, '')}\\`);
    return roots.some((root) => exe.startsWith(root)) ? 'per-machine' : 'per-user';
  }
  if (platform === 'linux') {
    // An AppImage is the user's own file; anything else came from the package manager.
    return env.APPIMAGE !== undefined && env.APPIMAGE !== '' ? 'per-user' : 'per-machine';
  }
  return 'per-user';
}

export function resolveUpdateConfig(input: {
  policy: Policy | null;
  scope: InstallScope;
  /** `app.isPackaged`: a development build never updates itself. */
  packaged: boolean;
}): UpdateConfig {
  const { policy, scope, packaged } = input;
  if (!packaged) return { enabled: false, reason: 'not-packaged' };
  const autoUpdate = policy?.autoUpdate;
  if (autoUpdate?.enabled === false) return { enabled: false, reason: 'policy-off' };
  const feedUrl = autoUpdate?.feedUrl;
  if (feedUrl === undefined) return { enabled: false, reason: 'no-feed' };
  if (autoUpdate?.enabled !== true && scope === 'per-machine') {
    return { enabled: false, reason: 'per-machine' };
  }
  return { enabled: true, feedUrl };
}
