import type { Policy } from '../settings/policy.js';

/**
 * Crash reporting (Electron's crashReporter, Crashpad underneath): every crash of any of our
 * processes leaves a minidump in the local crash folder (`app.getPath('crashDumps')`), which
 * support collects with the logs. Nothing leaves the machine unless the IT policy names an
 * upload server (`crashReportUploadUrl`, https only: the dumps hold memory, so call details
 * and tokens). Started before `ready`, so a crash at start is caught too.
 */

/** The options of `crashReporter.start` this module decides (Electron's names). */
export interface CrashReporterOptions {
  productName: string;
  uploadToServer: boolean;
  submitURL?: string;
  /** At most one upload an hour (macOS, Windows), so a crash loop does not flood the server. */
  rateLimit: boolean;
  compress: boolean;
  /** Sent with every report: what support needs to match a dump with a build and a log. */
  globalExtra: Record<string, string>;
}

export function crashReporterOptions(
  policy: Policy | null,
  build: { version: string; packaged: boolean },
): CrashReporterOptions {
  const url = policy?.crashReportUploadUrl;
  // The policy schema already refuses anything but https; this is the last line before Crashpad.
  const upload = url !== undefined && /^https:\/\/[^\s/]+/i.test(url);
  return {
    productName: 'Trayphone',
    uploadToServer: upload,
    ...(upload ? { submitURL: url } : {}),
    rateLimit: true,
    compress: true,
    globalExtra: { build: build.packaged ? 'packaged' : 'development', version: build.version },
  };
}

/** One line for the log at start: where dumps go (never the URL's query, it may hold a key). */
export function describeCrashReporting(options: CrashReporterOptions, dumpsFolder: string): string {
  if (!options.uploadToServer || options.submitURL === undefined) {
    return `crash reports: kept locally in ${dumpsFolder}, not uploaded`;
  }
  return `crash reports: kept in ${dumpsFolder} and uploaded to ${new URL(options.submitURL).origin}`;
}
