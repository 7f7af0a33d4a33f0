import type { SoftphoneApi } from '../../protocol/softphone.js';
import { createBrowserSoftphone } from '../../core/softphone/browser.js';

/**
 * The web client's API: core's softphone running in the page, against the server that served
 * it. A separate chunk, so the Electron renderer (which gets the API from its preload) never
 * loads core.
 */
export function createBrowserApi(serverUrl: string): SoftphoneApi {
  const softphone = createBrowserSoftphone({ serverUrl, deviceName: browserName() });
  takeDialLink(softphone);
  return softphone;
}

/**
 * A click-to-call link to the web client (`/?call=tel:bob&media=video`, also `trayphone://` and
 * `sip:` targets) becomes the snapshot's dial request, so the dialer opens pre-filled; the query
 * is then removed so a reload does not ask again.
 */
function takeDialLink(softphone: ReturnType<typeof createBrowserSoftphone>): void {
  const url = new URL(window.location.href);
  const target = url.searchParams.get('call');
  if (!target) return;
  const media = url.searchParams.get('media') === 'video' ? 'video' : 'audio';
  try {
    softphone.requestDial(target, media);
  } catch {
    return; // Not a usable target: nothing to pre-fill.
  }
  url.searchParams.delete('call');
  url.searchParams.delete('media');
  url.hash = '#/dialer';
  window.history.replaceState(null, '', url);
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
