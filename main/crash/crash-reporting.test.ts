import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../settings/policy.js';
import { crashReporterOptions, describeCrashReporting } from './crash-reporting.js';

const build = { version: '1.2.3', packaged: true };
const policyOf = (json: unknown) =>
  loadPolicy('/etc/trayphone/policy.json', () => JSON.stringify(json));

describe('crash reporting', () => {
  it('without a policy, or with one that names no server: dumps kept locally, nothing uploaded', () => {
    for (const policy of [null, policyOf({ serverUrl: 'https://phone.example.com' }).policy]) {
      const options = crashReporterOptions(policy, build);
      expect(options).toEqual({
        productName: 'Trayphone',
        uploadToServer: false,
        rateLimit: true,
        compress: true,
        globalExtra: { build: 'packaged', version: '1.2.3' },
      });
      expect(describeCrashReporting(options, '/u/Crashpad')).toBe(
        'crash reports: kept locally in /u/Crashpad, not uploaded',
      );
    }
  });

  it("the policy's https server turns uploads on; the log names its origin only", () => {
    const loaded = policyOf({
      crashReportUploadUrl: 'https://crash.example.com/submit?key=s3cret',
    });
    expect(loaded.error).toBeUndefined();
    const options = crashReporterOptions(loaded.policy, { version: '1.2.3', packaged: false });
    expect(options).toMatchObject({
      uploadToServer: true,
      submitURL: 'https://crash.example.com/submit?key=s3cret',
      globalExtra: { build: 'development' },
    });
    const line = describeCrashReporting(options, '/u/Crashpad');
    expect(line).toBe(
      'crash reports: kept in /u/Crashpad and uploaded to https://crash.example.com',
    );
    expect(line).not.toContain('s3cret');
  });

  it('a plain http upload server makes the whole policy invalid, and nothing is uploaded', () => {
    const loaded = policyOf({ crashReportUploadUrl: 'http://crash.example.com/submit' });
    expect(loaded.policy).toBeNull();
    expect(loaded.error).toContain('crashReportUploadUrl');
    expect(crashReporterOptions(loaded.policy, build).uploadToServer).toBe(false);
    // And were an unchecked value to reach it, it would still refuse.
    const forged = { crashReportUploadUrl: 'http://crash.example.com/' };
    expect(crashReporterOptions(forged, build).uploadToServer).toBe(false);
  });
});
