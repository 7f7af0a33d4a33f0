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
  /**
   * The Electron ringing window: only the incoming view of one call. `silent` (`?silent=1`):
   * another window plays the ringtone (main rings one at a time, main/ringing).
   */
  | { name: 'ringing'; callId: string; silent: boolean };

export const TABS = ['contacts', 'dialer', 'history', 'settings', 'agent', 'supervisor'] as const;
export type Tab = (typeof TABS)[number];

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const [head, arg] = path.split('/');
  if (head === 'ringing' && arg) {
    const silent = new URLSearchParams(query).get('silent') === '1';
    return { name: 'ringing', callId: decodeURIComponent(arg), silent };
  }
  const tab = TABS.find((t) => t === head);
  return { name: tab ?? 'contacts' };
}

export const routeHash = (tab: Tab): string => `#/${tab}`;

/**
 * Which of the invitations ringing in one page plays the ringtone: the first (oldest), as main
 * does across ringing windows. One ringtone at a time; the others show silently.
 */
export const audibleIncoming = (ringing: readonly { callId: string }[]): string | undefined =>
  ringing[0]?.callId;

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
