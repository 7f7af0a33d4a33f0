import { createRoot } from 'react-dom/client';
import type { SoftphoneApi } from '../protocol/softphone.js';
import { ApiProvider, SnapshotStore } from './app/api-context.js';
import { App } from './app/App.js';
import { SettingsProvider } from './app/settings.js';
import { initI18n, preferredLanguage } from './i18n/index.js';
import './styles/app.css';
import './styles/shell.css';
import './styles/call-screen.css';

/**
 * One renderer for both shells: Electron's preload puts the API on `window.softphone`; a plain
 * browser page builds it from core/ against the server that served the page.
 */
async function resolveApi(): Promise<SoftphoneApi> {
  const fromPreload = (window as { softphone?: SoftphoneApi }).softphone;
  if (fromPreload) return fromPreload;
  const { createBrowserApi } = await import('./app/browser-api.js');
  return createBrowserApi(window.location.origin);
}

async function start(): Promise<void> {
  const root = document.getElementById('root');
  if (!root) return;
  const api = await resolveApi();
  // The saved language when there is one, else the browser's; the settings provider follows up.
  const saved = await api.getSettings({}).catch(() => undefined);
  await initI18n(saved?.settings.language ?? preferredLanguage());
  const store = new SnapshotStore(api);
  createRoot(root).render(
    <ApiProvider store={store}>
      <SettingsProvider>
        <App />
      </SettingsProvider>
    </ApiProvider>,
  );
}

void start();
