import { type TrustedOrigins, isOwnRendererUrl } from '../security/origins.js';

/**
 * WebHID for headset call control (core/headset/hid-telephony.ts runs in our renderer): our own
 * origin may use HID devices, nothing else may, and no other kind of device (USB, serial,
 * Bluetooth) is granted. Electron asks three things: may this origin use HID at all (permission
 * check `hid`), may it keep a device (device permission), and which device the page's
 * `navigator.hid.requestDevice` picks (`select-hid-device`: there is no browser chooser).
 */

/** An origin string (`app://trayphone`) is ours: compared whole, as the sender check does. */
const ours = (origin: string, origins: TrustedOrigins): boolean =>
  origin === origins.app || (origins.dev !== undefined && origin === origins.dev);

/** `setPermissionCheckHandler` for the `hid` permission. */
export function hidPermissionCheck(requestingUrl: string, origins: TrustedOrigins): boolean {
  return isOwnRendererUrl(requestingUrl, origins);
}

/** `setDevicePermissionHandler`: HID devices for our origin only. */
export function devicePermissionGranted(
  details: { deviceType: string; origin: string },
  origins: TrustedOrigins,
): boolean {
  return details.deviceType === 'hid' && ours(details.origin, origins);
}

/** The telephony usage page: a headset's call-control collection. */
const TELEPHONY_PAGE = 0x0b;

/**
 * `select-hid-device`: the page asked with a telephony filter, and Chromium lists the matching
 * devices; we take the first with a telephony collection (or the first listed when Electron
 * gives no collections). Another origin gets none.
 */
export function chooseHidDevice(
  requestingUrl: string,
  devices: readonly { deviceId: string; collections?: readonly { usagePage?: number }[] }[],
  origins: TrustedOrigins,
): string | undefined {
  if (!hidPermissionCheck(requestingUrl, origins)) return undefined;
  const telephony = devices.find((d) => d.collections?.some((c) => c.usagePage === TELEPHONY_PAGE));
  return (telephony ?? devices[0])?.deviceId;
}
