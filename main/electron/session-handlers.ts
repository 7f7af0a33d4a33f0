import { type Session, desktopCapturer } from 'electron';
import {
  chooseHidDevice,
  devicePermissionGranted,
  hidPermissionCheck,
} from '../headset/hid-permission.js';
import type { Log } from '../log/log.js';
import { type SourcePickerPort, answerDisplayMedia } from '../screen-share/display-media.js';
import type { TrustedOrigins } from '../security/origins.js';
import { permissionGranted } from '../security/web-policy.js';

export interface SessionHandlerDeps {
  origins: TrustedOrigins;
  log: Log;
  /** The main window's thumbnail picker, where the OS has none of its own. */
  picker: SourcePickerPort;
}

/**
 * The session's answers to what web content asks for: permissions (our origins only), WebHID
 * for headsets, devices, and screen capture through our picker. Electron wiring only: each
 * decision is a plain function tested in Node (security/web-policy.ts, headset/, screen-share/).
 */
export function installSessionHandlers(ses: Session, deps: SessionHandlerDeps): void {
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(
      permissionGranted(
        { permission, requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame },
        deps.origins,
      ),
    );
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    // WebHID for headset call control: our origin only (main/headset/hid-permission.ts).
    (permission as string) === 'hid'
      ? hidPermissionCheck(details.requestingUrl ?? requestingOrigin, deps.origins)
      : permissionGranted(
          {
            permission,
            requestingUrl: details.requestingUrl ?? requestingOrigin,
            isMainFrame: details.isMainFrame,
          },
          deps.origins,
        ),
  );
  ses.setDevicePermissionHandler((details) =>
    devicePermissionGranted(
      { deviceType: details.deviceType, origin: details.origin },
      deps.origins,
    ),
  );
  ses.setDisplayMediaRequestHandler(
    (request, callback) => {
      void answerDisplayMedia(
        {
          frameUrl: request.frame?.url,
          isMainFrame: request.frame !== null && request.frame.parent === null,
        },
        {
          origins: deps.origins,
          log: deps.log,
          listSources: async () =>
            (
              await desktopCapturer.getSources({
                types: ['screen', 'window'],
                thumbnailSize: { width: 320, height: 180 },
              })
            ).map((s) => ({ id: s.id, name: s.name, thumbnail: s.thumbnail.toDataURL() })),
          // The main window's thumbnail picker (screen-share/renderer-picker.ts).
          picker: deps.picker,
        },
      ).then(
        (source) => {
          callback(source ? { video: { id: source.id, name: source.name } } : {});
        },
        (error: unknown) => {
          deps.log.error({ err: error }, 'screen sharing failed');
          callback({});
        },
      );
    },
    // macOS 15+: the OS's own picker where it exists (Electron ignores it elsewhere).
    { useSystemPicker: true },
  );
  ses.on('select-hid-device', (event, details, callback) => {
    event.preventDefault();
    callback(chooseHidDevice(details.frame?.url ?? '', details.deviceList, deps.origins));
  });
}
