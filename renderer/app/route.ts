import { useEffect, useState } from 'react';

/** Hash routes: they work from a file:// page (Electron) and from the server's index.html alike. */
export type Route =
  | { name: 'contacts' }
  | { name: 'dialer' }
  | { name: 'history' }
  | { name: 'settings' }
  /** Seat calling: shown only to agents and supervisors (App hides the tabs otherwise). */
  | { name: 'agent' }
  | { name: 'supervisor' }
  /** The Electron ringing window: only the incoming view of one call. */
  | { name: 'ringing'; callId: string };

export const TABS = ['contacts', 'dialer', 'history', 'settings', 'agent', 'supervisor'] as const;
export type Tab = (typeof TABS)[number];

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const [head, arg] = parts;
  if (head === 'ringing' && arg) return { name: 'ringing', callId: decodeURIComponent(arg) };
  const tab = TABS.find((t) => t === head);
  return { name: tab ?? 'contacts' };
}

export const routeHash = (tab: Tab): string => `#/${tab}`;

export function navigate(tab: Tab): void {
  window.location.hash = routeHash(tab);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => {
      setRoute(parseRoute(window.location.hash));
    };
    window.addEventListener('hashchange', onChange);
    return () => {
      window.removeEventListener('hashchange', onChange);
    };
  }, []);
  return route;
}
