import type { SoftphoneApi } from '../../protocol/softphone.js';
import { createBrowserSoftphone } from '../../core/softphone/browser.js';

/**
 * The web client's API: core's softphone running in the page, against the server that served
 * it. A separate chunk, so the Electron renderer (which gets the API from its preload) never
 * loads core.
 */
export function createBrowserApi(serverUrl: string): SoftphoneApi {
  return createBrowserSoftphone({ serverUrl, deviceName: browserName() });
}

function browserName(): string {
  const ua = navigator.userAgent;
  const name = /Edg\//.test(ua)
    ? 'Edge'
    : /Chrome\//.test(ua)
      ? 'Chrome'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  return `${name} (web)`;
}
