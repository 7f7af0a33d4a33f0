import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorCode, errorMessage, useApi, useLastError, useSigningIn } from '../app/api-context.js';
import { useDraft } from '../app/drafts.js';
import { useSettings } from '../app/settings.js';
import { LanguagePicker } from '../components/LanguagePicker.js';

const KNOWN = new Set([
  'wrong-credentials',
  'unreachable',
  'incompatible-version',
  'invalid-argument',
  'policy-locked',
  'timeout',
]);

/** Sign-in: server URL (pre-filled, or fixed by policy), user id, password, and clear errors. */
export function SignIn({ sessionFailed }: { sessionFailed: boolean }) {
  const { t } = useTranslation();
  const api = useApi();
  const { view, isLocked } = useSettings();
  const serverLocked = isLocked('serverUrl');
  const fallbackUrl = api.shell === 'browser' ? window.location.origin : '';
  const [serverDraft, setServerDraft] = useDraft('signin.server');
  const serverUrl = serverLocked
    ? (view?.settings.serverUrl ?? '')
    : serverDraft || view?.settings.serverUrl || fallbackUrl;
  const [userId, setUserId] = useDraft('signin.user');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useSigningIn();
  const lastError = useLastError();
  const [error, setError] = useState<string | undefined>();
  // A session that failed after sign-in (token refused, another protocol version) says why.
  const failure =
    sessionFailed && !error
      ? lastError?.code === 'incompatible-version'
        ? t('signIn.errors.incompatible-version')
        : t('signIn.errors.failed')
      : undefined;
  const shown = error ?? failure;

  const submit = async (e: SyntheticEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.signIn({ serverUrl, userId: userId.trim().toLowerCase(), password });
      setPassword('');
    } catch (err) {
      const code = errorCode(err);
      setError(
        KNOWN.has(code)
          ? t(`signIn.errors.${code}`, { message: errorMessage(err) })
          : t('signIn.errors.generic', { message: errorMessage(err) }),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="signin">
      <form
        className="card signin-card"
        onSubmit={(e) => void submit(e)}
        aria-labelledby="signin-title"
        aria-describedby={shown ? 'signin-error' : undefined}
      >
        <h1 id="signin-title">{t('signIn.title')}</h1>
        <label htmlFor="signin-server">{t('signIn.server')}</label>
        <input
          id="signin-server"
          name="server"
          type="url"
          required
          value={serverUrl}
          readOnly={serverLocked}
          aria-describedby={serverLocked ? 'signin-server-locked' : undefined}
          onChange={(e) => {
            setServerDraft(e.target.value);
          }}
        />
        {serverLocked && (
          <small id="signin-server-locked" className="hint">
            {t('signIn.serverLocked')}
          </small>
        )}
        <label htmlFor="signin-user">{t('signIn.user')}</label>
        <input
          id="signin-user"
          name="user"
          autoComplete="username"
          required
          autoFocus
          value={userId}
          onChange={(e) => {
            setUserId(e.target.value);
          }}
        />
        <label htmlFor="signin-password">{t('signIn.password')}</label>
        <input
          id="signin-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
          }}
        />
        {shown && (
          <p id="signin-error" className="error" role="alert">
            {shown}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('signIn.busy') : t('signIn.submit')}
        </button>
        <LanguagePicker />
      </form>
    </main>
  );
}
