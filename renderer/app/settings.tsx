import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import i18next from 'i18next';
import type { ClientSettings, SettingsView } from '../../protocol/softphone.js';
import { useApi } from './api-context.js';

interface SettingsContextValue {
  view: SettingsView | undefined;
  update: (patch: Partial<ClientSettings>) => Promise<SettingsView>;
  isLocked: (key: keyof ClientSettings) => boolean;
}

const SettingsContext = createContext<SettingsContextValue | undefined>(undefined);

/**
 * Client settings, loaded once and updated through the API (which validates them and applies IT
 * policy). The language setting drives i18next, so a change re-renders every string at once.
 */
export function SettingsProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [view, setView] = useState<SettingsView>();
  useEffect(() => {
    let live = true;
    api.getSettings({}).then(
      (v) => {
        if (live) setView(v);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);
  useEffect(() => {
    const lng = view?.settings.language;
    if (lng && i18next.language !== lng) void i18next.changeLanguage(lng);
  }, [view?.settings.language]);
  const update = useCallback(
    async (patch: Partial<ClientSettings>) => {
      const next = await api.updateSettings(patch);
      setView(next);
      return next;
    },
    [api],
  );
  const value = useMemo<SettingsContextValue>(
    () => ({ view, update, isLocked: (key) => view?.locked.includes(key) ?? false }),
    [view, update],
  );
  return <SettingsContext value={value}>{children}</SettingsContext>;
}

export function useSettings(): SettingsContextValue {
  const value = useContext(SettingsContext);
  if (!value) throw new Error('useSettings outside SettingsProvider');
  return value;
}
