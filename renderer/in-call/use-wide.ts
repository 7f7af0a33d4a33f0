import { useSyncExternalStore } from 'react';

/** Below this width the participants list hides behind a button in the call bar. */
export const WIDE_CALL_PX = 760;

const query = `(min-width: ${WIDE_CALL_PX}px)`;

const subscribe = (onChange: () => void) => {
  const list = window.matchMedia(query);
  list.addEventListener('change', onChange);
  return () => {
    list.removeEventListener('change', onChange);
  };
};

/** Is the window wide enough to show the participants beside the stage? */
export const useWide = (): boolean =>
  useSyncExternalStore(
    subscribe,
    () => window.matchMedia(query).matches,
    () => true,
  );
