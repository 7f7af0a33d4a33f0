import { useEffect } from 'react';
import { type Sound, play } from './sounds.js';

/** Plays a tone while `active`, and stops it the moment the view stops asking for it. */
export function useSound(name: Sound, active: boolean, deviceId = ''): void {
  useEffect(() => {
    if (!active) return;
    return play(name, deviceId);
  }, [name, active, deviceId]);
}
