import { WEB_DIR, buildWeb } from '../../scripts/build-web.js';
import { chromiumMissingReason } from './chromium.js';

/**
 * Once per run, before any browser suite: the web client is built (when its sources changed)
 * for the suites that serve it. Each suite still starts its own server: they differ in users,
 * timeouts and queues, and the server allows only so many sign-ins per minute from one address.
 */
export default async function globalSetup(): Promise<void> {
  const missing = chromiumMissingReason();
  if (missing) {
    console.log(`browser suites will skip: ${missing}`);
    return;
  }
  if (await buildWeb({ ifStale: true })) console.log(`web client built in ${WEB_DIR}`);
}
