import { describe, expect, it } from 'vitest';
import { APP_ORIGIN } from '../security/origins.js';
import { chooseHidDevice, devicePermissionGranted, hidPermissionCheck } from './hid-permission.js';

const origins = { app: APP_ORIGIN };

describe('HID permission (headsets)', () => {
  it('our origin may use HID; any other origin, and other device kinds, may not', () => {
    expect(hidPermissionCheck(`${APP_ORIGIN}/index.html#/`, origins)).toBe(true);
    expect(hidPermissionCheck('https://evil.example/', origins)).toBe(false);
    expect(hidPermissionCheck('not a url', origins)).toBe(false);
    expect(devicePermissionGranted({ deviceType: 'hid', origin: APP_ORIGIN }, origins)).toBe(true);
    expect(devicePermissionGranted({ deviceType: 'usb', origin: APP_ORIGIN }, origins)).toBe(false);
    expect(devicePermissionGranted({ deviceType: 'serial', origin: APP_ORIGIN }, origins)).toBe(
      false,
    );
    expect(
      devicePermissionGranted({ deviceType: 'hid', origin: 'https://evil.example' }, origins),
    ).toBe(false);
  });

  it('the device chooser takes the telephony device, and none for another origin', () => {
    const devices = [
      { deviceId: 'mouse', collections: [{ usagePage: 0x01 }] },
      { deviceId: 'headset', collections: [{ usagePage: 0x0c }, { usagePage: 0x0b }] },
    ];
    expect(chooseHidDevice(`${APP_ORIGIN}/index.html`, devices, origins)).toBe('headset');
    expect(chooseHidDevice(`${APP_ORIGIN}/index.html`, [{ deviceId: 'x' }], origins)).toBe('x');
    expect(chooseHidDevice(`${APP_ORIGIN}/index.html`, [], origins)).toBeUndefined();
    expect(chooseHidDevice('https://evil.example/', devices, origins)).toBeUndefined();
  });
});
