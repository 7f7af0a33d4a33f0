import { useEffect, useState } from 'react';
import { useApi, useSnapshot } from '../app/api-context.js';
import { callMicrophone } from '../app/call-microphone.js';
import { notifyError } from '../app/notify.js';
import { HeadsetControl, type HidDeviceLike } from './headset-control.js';
import { TELEPHONY_PAGE } from '../../core/headset/hid-telephony.js';

/** The part of `navigator.hid` used here (no WebHID types in TypeScript's DOM library). */
export interface WebHid {
  getDevices(): Promise<HidDeviceLike[]>;
  requestDevice(options: { filters: { usagePage: number }[] }): Promise<HidDeviceLike[]>;
  addEventListener(
    type: 'connect' | 'disconnect',
    listener: (e: { device: HidDeviceLike }) => void,
  ): void;
  removeEventListener(
    type: 'connect' | 'disconnect',
    listener: (e: { device: HidDeviceLike }) => void,
  ): void;
}

/** `navigator.hid` when this page has WebHID (Electron, Chromium), checked, not assumed. */
export function webHid(): WebHid | undefined {
  const nav = (globalThis as { navigator?: { hid?: unknown } }).navigator;
  const hid = nav?.hid;
  if (typeof hid !== 'object' || hid === null) return undefined;
  const api = hid as Partial<WebHid>;
  const functions = [
    api.getDevices,
    api.requestDevice,
    api.addEventListener,
    api.removeEventListener,
  ];
  return functions.every((f) => typeof f === 'function') ? (hid as WebHid) : undefined;
}

/** The page's headset control while the signed-in shell is mounted (settings adds devices). */
let active: HeadsetControl | undefined;
const listeners = new Set<(devices: string[]) => void>();
const changed = (): void => {
  const devices = active?.devices() ?? [];
  for (const listener of listeners) listener(devices);
};

const problem = (message: string): void => {
  notifyError({ code: 'headset', message });
};

/**
 * Headset call control for the signed-in main window: the devices granted before are used at
 * once, plugged-in ones as they come, unplugged ones let go; every snapshot and mute change
 * reaches the LEDs.
 */
export function useHeadset(): void {
  const api = useApi();
  const snapshot = useSnapshot();
  const [control] = useState(
    () =>
      new HeadsetControl({
        accept: (callId) => api.accept({ callId, media: 'audio' }),
        hangup: (callId) => api.hangup({ callId }),
        toggleMute: () => callMicrophone.toggle(),
        problem,
      }),
  );
  const snapshotRef = useLatest(snapshot);
  useEffect(() => {
    const hid = webHid();
    if (!hid) return undefined;
    active = control;
    const attach = (device: HidDeviceLike): void => {
      control.attach(device).then(changed, (error: unknown) => {
        problem(`${device.productName}: ${error instanceof Error ? error.message : String(error)}`);
      });
    };
    const onConnect = (e: { device: HidDeviceLike }): void => {
      attach(e.device);
    };
    const onDisconnect = (e: { device: HidDeviceLike }): void => {
      void control.detach(e.device).then(changed);
    };
    hid.addEventListener('connect', onConnect);
    hid.addEventListener('disconnect', onDisconnect);
    hid.getDevices().then((devices) => {
      devices.forEach(attach);
    }, problem);
    const offMic = callMicrophone.onChange((muted) => {
      control.update(snapshotRef.current, muted ?? false);
    });
    return () => {
      hid.removeEventListener('connect', onConnect);
      hid.removeEventListener('disconnect', onDisconnect);
      offMic();
      if (active === control) active = undefined;
      changed();
    };
  }, [control, snapshotRef]);
  useEffect(() => {
    control.update(snapshot, callMicrophone.muted() ?? false);
  }, [control, snapshot]);
}

function useLatest<T>(value: T): { current: T } {
  const [ref] = useState(() => ({ current: value }));
  useEffect(() => {
    ref.current = value;
  }, [ref, value]);
  return ref;
}

/** Settings: asks the user to pick a headset (a user gesture), then uses it. */
export async function connectHeadset(): Promise<boolean> {
  const hid = webHid();
  if (!hid || !active) return false;
  const picked = await hid.requestDevice({ filters: [{ usagePage: TELEPHONY_PAGE }] });
  let any = false;
  for (const device of picked) any = (await active.attach(device)) || any;
  changed();
  return any;
}

/** The headsets in use, for settings (empty when none or without WebHID). */
export function useHeadsetDevices(): string[] {
  const [devices, setDevices] = useState<string[]>(() => active?.devices() ?? []);
  useEffect(() => {
    listeners.add(setDevices);
    return () => {
      listeners.delete(setDevices);
    };
  }, []);
  return devices;
}
