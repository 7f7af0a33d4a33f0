import { useEffect, useState } from 'react';

export interface Devices {
  audioinput: MediaDeviceInfo[];
  videoinput: MediaDeviceInfo[];
  audiooutput: MediaDeviceInfo[];
}

const empty: Devices = { audioinput: [], videoinput: [], audiooutput: [] };

/** The media devices, refreshed when one is plugged in or out. */
export function useDevices(): Devices {
  const [devices, setDevices] = useState<Devices>(empty);
  useEffect(() => {
    let live = true;
    const refresh = () => {
      navigator.mediaDevices.enumerateDevices().then(
        (list) => {
          if (!live) return;
          const by = (kind: MediaDeviceKind) => list.filter((d) => d.kind === kind && d.deviceId);
          setDevices({
            audioinput: by('audioinput'),
            videoinput: by('videoinput'),
            audiooutput: by('audiooutput'),
          });
        },
        () => undefined,
      );
    };
    refresh();
    navigator.mediaDevices.addEventListener('devicechange', refresh);
    return () => {
      live = false;
      navigator.mediaDevices.removeEventListener('devicechange', refresh);
    };
  }, []);
  return devices;
}

/** A device's label, or a numbered fallback before permission was granted. */
export const deviceLabel = (d: MediaDeviceInfo, index: number): string =>
  d.label || `${d.kind} ${index + 1}`;

/** Microphone constraints for a chosen device ('' = default). */
export const micConstraints = (deviceId: string): MediaTrackConstraints | boolean =>
  deviceId ? { deviceId: { exact: deviceId } } : true;

export const cameraConstraints = (deviceId: string): MediaTrackConstraints => ({
  width: { ideal: 640 },
  height: { ideal: 360 },
  ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
});
