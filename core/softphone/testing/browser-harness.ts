/**
 * The page script of the Chromium suite: the web client's softphone exactly as the renderer makes
 * it, exposed on `window` with a record of what it emitted.
 */
import type { SoftphoneSnapshot } from '../../../protocol/index.js';
import { createBrowserSoftphone } from '../browser.js';
import type { Softphone } from '../softphone.js';

interface Harness {
  softphone: Softphone;
  snapshots: SoftphoneSnapshot[];
  errors: string[];
}

const softphone = createBrowserSoftphone({ serverUrl: location.origin });
const harness: Harness = { softphone, snapshots: [], errors: [] };
softphone.on('snapshot', (s) => harness.snapshots.push(s));
softphone.on('error', (e) => harness.errors.push(e.code));
(window as unknown as { harness: Harness }).harness = harness;
