import {
  type ParsedEvent,
  type PresenceStatus,
  type SoftphoneAccount,
  type SoftphoneArgs,
  type SoftphoneCommand,
  SoftphoneError,
  type SoftphoneSnapshot,
  type TokenResponse,
} from '../../protocol/index.js';
import type { HelloResult, SignalingError } from '../signaling/signaling-client.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { AuthClient, normalizeServerUrl, signalingUrlOf } from './auth.js';
import { CallCommands } from './call-commands.js';
import { CallList, DEFAULT_ENDED_CALL_RETENTION_MS } from './call-list.js';
import { CallWaitingSync } from './call-waiting.js';
import { ContactCenterClient, DEFAULT_AUTO_ANSWER_DELAY_MS } from './contact-center.js';
import { parseArgs, toSoftphoneError } from './errors.js';
import { MissedCalls } from './missed-calls.js';
import { STORE_KEYS, readJson, writeJson } from './persistence.js';
import { PresenceWatch } from './presence-watch.js';
import { Session, SessionStore } from './session.js';
import { DEFAULT_CLIENT_SETTINGS, SettingsService, storeSettingsProvider } from './settings.js';
import { SnapshotPublisher, connectionOf } from './snapshot.js';
import {
  type SoftphoneEventMap,
  type SoftphoneLogger,
  type SoftphoneOptions,
  silentSoftphoneLogger,
} from './types.js';
import { z } from 'zod';

export class Events extends TypedEmitter<SoftphoneEventMap> {
  fire<K extends keyof SoftphoneEventMap>(event: K, ...args: SoftphoneEventMap[K]): void {
    this.emit(event, ...args);
  }
}

const deviceIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/);

/**
 * The softphone's state and the session's lifecycle (sign-in, saved session, hello, events,
 * sign-out); `Softphone` adds the commands of the renderer contract on top.
 */
export abstract class SoftphoneBase {
  readonly shell: 'electron' | 'browser';
  protected readonly events = new Events();
  protected readonly log: SoftphoneLogger;
  protected readonly auth: AuthClient;
  protected readonly sessions: SessionStore;
  protected readonly settings: SettingsService;
  protected readonly presence: PresenceWatch;
  protected readonly callList: CallList;
  protected readonly callCommands: CallCommands;
  protected readonly missed: MissedCalls;
  protected readonly callWaiting: CallWaitingSync;
  protected readonly publisher: SnapshotPublisher;
  protected readonly contactCenter: ContactCenterClient;
  protected session: Session | undefined;
  protected deviceId = '';
  protected status: PresenceStatus = 'available';
  protected dialRequest: SoftphoneSnapshot['dialRequest'] = null;
  protected started: Promise<void> | undefined;
  /** Sign-in and sign-out run one at a time. */
  protected exclusive: Promise<unknown> = Promise.resolve();

  constructor(protected readonly options: SoftphoneOptions) {
    this.shell = options.shell;
    this.log = options.logger ?? silentSoftphoneLogger;
    this.auth = new AuthClient({
      fetch: options.fetch,
      clock: options.clock ?? { now: () => Date.now() },
      httpTimeoutMs: options.httpTimeoutMs ?? 10_000,
    });
    this.sessions = new SessionStore(options.store, options.secretStore ?? options.store);
    this.settings = new SettingsService(
      options.settingsProvider ?? storeSettingsProvider(options.store),
      options.policyProvider,
      { ...DEFAULT_CLIENT_SETTINGS, ...options.defaultSettings },
    );
    this.presence = new PresenceWatch(
      () => {
        this.changed();
      },
      (status) => {
        this.status = status;
        this.changed();
      },
    );
    const clock = options.clock ?? { now: () => Date.now() };
    this.callList = new CallList(
      () => clock.now(),
      options.endedCallRetentionMs ?? DEFAULT_ENDED_CALL_RETENTION_MS,
      () => {
        this.changed();
      },
      (callId) => {
        this.session?.calls.forget(callId);
      },
    );
    this.callCommands = new CallCommands(this.callList);
    this.missed = new MissedCalls(
      this.sessions,
      () => clock.now(),
      () => {
        this.changed();
      },
    );
    this.callWaiting = new CallWaitingSync(this.settings, (error) => {
      this.backgroundError(error, 'call waiting sync');
    });
    this.contactCenter = new ContactCenterClient({
      changed: () => {
        this.changed();
      },
      answer: (session, callId) => this.callCommands.accept(session, { callId, media: 'audio' }),
      failed: (error, what) => {
        this.backgroundError(error, what);
      },
      now: () => clock.now(),
      autoAnswerDelayMs: options.autoAnswerDelayMs ?? DEFAULT_AUTO_ANSWER_DELAY_MS,
    });
    this.publisher = new SnapshotPublisher(
      () => this.buildSnapshot(),
      (snapshot) => {
        this.events.fire('snapshot', snapshot);
      },
    );
    // Restores the saved session on its own, after the caller had a chance to subscribe.
    queueMicrotask(() => {
      this.start().catch((error: unknown) => {
        this.log.error({ error: String(error) }, 'softphone start failed');
        this.fireError(error);
      });
    });
  }

  /**
   * Loads settings and the saved session, and reconnects it (without waiting for the server).
   * The constructor calls it (a microtask later); every command waits for it.
   */
  start(): Promise<void> {
    this.started ??= this.init();
    return this.started;
  }

  /**
   * The network may have changed (resume from sleep, unlock, a network up): the signaling
   * connection retries or checks itself at once instead of after its heartbeat or backoff.
   * Nothing happens when signed out.
   */
  reconnectNow(): void {
    this.session?.signaling.reconnectNow();
  }

  /** Closes the connection (app quit); the account stays signed in for the next start. */
  async close(): Promise<void> {
    await this.start().catch(() => undefined);
    this.session?.close();
    this.session = undefined;
    this.callList.clear();
    this.presence.attach(undefined, undefined);
  }

  // ---- sign-in and the session -----------------------------------------------------------

  protected async init(): Promise<void> {
    await this.settings.load();
    await this.presence.setFavourites(this.settings.settings.favourites);
    this.deviceId = await this.loadDeviceId();
    const saved = await this.sessions.load();
    if (saved) {
      this.log.info({ userId: saved.account.userId }, 'restoring the saved session');
      await this.missed.load(saved.account.userId);
      this.openSession(saved.account, saved.refreshToken);
    }
    this.changed();
  }

  protected async loadDeviceId(): Promise<string> {
    const given = this.options.device.id;
    if (given !== undefined) return deviceIdSchema.parse(given);
    const { store } = this.options;
    const saved = await readJson(store, STORE_KEYS.deviceId, deviceIdSchema);
    if (saved !== undefined) return saved;
    const id = `${this.options.device.platform}-${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`;
    // A store that cannot write still gets a device id, for this run.
    await writeJson(store, STORE_KEYS.deviceId, id).catch(() => undefined);
    return id;
  }

  protected async doSignIn(args: SoftphoneArgs<'signIn'>): Promise<SoftphoneAccount> {
    const serverUrl = normalizeServerUrl(args.serverUrl);
    this.settings.check({ serverUrl });
    const tokens = await this.auth.login(serverUrl, args.userId, args.password);
    const account: SoftphoneAccount = {
      userId: tokens.userId,
      displayName: tokens.displayName,
      serverUrl,
    };
    // The new account replaces whatever was signed in; a different user's unread count stays
    // stored under their id.
    await this.endSession(true);
    await this.sessions.save(account, tokens.refreshToken);
    await this.settings.update({ serverUrl });
    await this.missed.load(account.userId);
    const session = this.openSession(account, tokens.refreshToken, tokens);
    session.signingIn = true;
    try {
      await session.whenSignedIn(this.options.signInTimeoutMs ?? 15_000);
      session.signingIn = false;
    } catch (error) {
      // Signing in did not complete: nothing of it survives a restart.
      await this.sessions.clear();
      if (!session.failed) await this.endSession(false);
      throw error;
    }
    this.log.info({ userId: account.userId }, 'signed in');
    return { ...account };
  }

  protected openSession(
    account: SoftphoneAccount,
    refreshToken: string,
    initial?: TokenResponse,
  ): Session {
    const session = new Session(
      account,
      refreshToken,
      {
        options: this.options,
        auth: this.auth,
        deviceId: this.deviceId,
        signalingUrl: (this.options.signalingUrl ?? signalingUrlOf)(account.serverUrl),
        onTokensRotated: async (owner, tokens) => {
          if (owner !== this.session) return; // Signed out meanwhile: write nothing back.
          await this.sessions.saveRefreshToken(tokens.refreshToken);
        },
        storedRefreshToken: async () => {
          // Only this account's: a tab that signed in as someone else left theirs.
          const saved = await this.sessions.load();
          const same =
            saved?.account.userId === account.userId &&
            saved.account.serverUrl === account.serverUrl;
          return same ? saved.refreshToken : undefined;
        },
      },
      initial,
    );
    this.session = session;
    const { signaling, calls } = session;
    session.own(
      signaling.on('state', () => {
        this.changed();
      }),
      signaling.on('retry', () => {
        this.changed();
      }),
      signaling.on('ready', (hello) => {
        this.onReady(session, hello);
      }),
      signaling.on('event', (event) => {
        this.onEvent(session, event);
      }),
      signaling.on('fatal', (error) => {
        void this.onFatal(session, error);
      }),
      calls.on('state', (_state, _previous, call) => {
        this.callList.track(call);
        this.changed();
      }),
      calls.on('missed', (call) => {
        this.onMissed(session, call.callId);
      }),
    );
    session.own(this.contactCenter.attach(session));
    this.presence.attach(signaling, account.userId);
    signaling.start();
    this.changed();
    return session;
  }

  protected onReady(session: Session, hello: HelloResult): void {
    session.tokens.confirm();
    session.tokens.startRenewal();
    this.status = hello.status;
    if (hello.displayName !== session.account.displayName) {
      session.account.displayName = hello.displayName;
      this.sessions.saveAccount(session.account).catch(() => undefined);
    }
    this.callWaiting.onHello(session, hello.settings.callWaiting);
    this.presence.resubscribe().catch((error: unknown) => {
      this.backgroundError(error, 'presence subscription');
    });
    this.missed
      .reconcile(session.signaling, session.account.userId, hello.serverTime)
      .catch((error: unknown) => {
        this.backgroundError(error, 'missed calls from history');
      });
    this.changed();
  }

  /** Call events are CallManager's; the rest the UI either shows or does not need. */
  protected onEvent(session: Session, event: ParsedEvent): void {
    if (event.type === 'call.updated' || event.type === 'call.controlled') {
      // CallManager (subscribed first) updated the call's snapshot; a mute, a participant
      // joining or a callee ringing changes no state, but the UI shows it.
      this.changed();
    } else if (event.type === 'presence.changed') {
      this.presence.onPresence(event.data);
    } else if (event.type === 'message.received') {
      const { messageId, from, body } = event.data;
      this.events.fire('message', { messageId, from, body });
      session.signaling.request('message.ack', { messageId, from }).catch(() => undefined);
    } else if (event.type === 'session.closing') {
      // Expired, or its sign-in revoked (signed out elsewhere, password changed): the token in
      // hand is refused; the next hello refreshes, and a revoked sign-in then stops as
      // unauthorized.
      const { reason } = event.data;
      if (reason === 'token-expired' || reason === 'signed-out') session.tokens.invalidate();
      if (event.data.reason === 'replaced') {
        // Another client signed in with this device id: reconnecting would evict it in turn.
        this.stopped(session, new SoftphoneError('replaced', 'signed in elsewhere, same device'));
        session.close();
      }
    }
  }

  protected async onFatal(session: Session, error: SignalingError): Promise<void> {
    this.stopped(session, error);
    // A refused token will not be accepted after a restart either; an incompatible server may be
    // upgraded, so that session is kept.
    if (error.code === 'unauthorized' && session === this.session) {
      await this.sessions.clear().catch(() => undefined);
    }
  }

  /** The session stopped for good: no call of it can go on, and the user is told once. */
  private stopped(session: Session, error: unknown): void {
    session.failed = true;
    const { code, message } = toSoftphoneError(error);
    this.log.warn({ userId: session.account.userId, code }, `signaling stopped: ${message}`);
    if (session !== this.session) return;
    this.callList.clear();
    // A sign-in in progress reports it as its own rejection.
    if (!session.signingIn) this.fireError(error);
    this.changed();
  }

  /** A call that rang here was missed: it counts towards the unread missed calls. */
  private onMissed(session: Session, callId: string): void {
    if (session !== this.session) return;
    this.missed.add(callId).catch((error: unknown) => {
      this.fireError(error);
    });
  }

  /** Closes the current session; `forget` also signs out for good (stored session cleared). */
  protected async endSession(forget: boolean): Promise<void> {
    const session = this.session;
    if (session) {
      this.session = undefined;
      if (forget && session.connected) await this.callCommands.endAll(session);
      session.close();
      // Signing out is signing this sign-in out on the server too, so that a copy of its
      // refresh token is worth nothing.
      if (forget) {
        await session.tokens.revoke().catch((error: unknown) => {
          this.log.warn({ err: error }, 'sign-out not confirmed by the server');
        });
      }
    }
    this.callList.clear();
    this.contactCenter.clear();
    this.presence.attach(undefined, undefined);
    this.status = 'available';
    this.missed.clear();
    if (forget) await this.sessions.clear();
    this.changed();
  }

  protected requireSession(): Session {
    const session = this.session;
    if (!session || session.failed) throw new SoftphoneError('not-signed-in', 'sign in first');
    return session;
  }

  // ---- plumbing ----------------------------------------------------------------------------

  protected async run<C extends SoftphoneCommand, R>(
    command: C,
    raw: unknown,
    body: (args: SoftphoneArgs<C>) => Promise<R>,
  ): Promise<R> {
    try {
      const args = parseArgs(command, raw);
      await this.start();
      return await body(args);
    } catch (error) {
      const failure = toSoftphoneError(error);
      this.log.debug({ command, code: failure.code }, failure.message);
      throw failure;
    }
  }

  protected serially<T>(task: () => Promise<T>): Promise<T> {
    const result = this.exclusive.then(task, task);
    this.exclusive = result.catch(() => undefined);
    return result;
  }

  /**
   * A failure of something the softphone did on its own. Connectivity failures are only logged:
   * the connection state already shows them, and the next hello retries.
   */
  protected backgroundError(error: unknown, what: string): void {
    const failure = toSoftphoneError(error);
    this.log.warn({ code: failure.code }, `${what} failed: ${failure.message}`);
    if (failure.code !== 'unreachable' && failure.code !== 'timeout') this.fireError(failure);
  }

  protected fireError(error: unknown, callId?: string): void {
    const { code, message } = toSoftphoneError(error);
    this.events.fire('error', callId === undefined ? { code, message } : { code, message, callId });
  }

  protected buildSnapshot(): SoftphoneSnapshot {
    const account = this.session?.account;
    const calls = this.callList.toSnapshot(account?.userId);
    return {
      connection: connectionOf(this.session),
      ...(this.session?.signaling.nextAttemptAt !== undefined && {
        nextAttemptAt: this.session.signaling.nextAttemptAt,
      }),
      account: account ? { ...account } : null,
      status: this.status,
      calls,
      missedUnread: this.missed.count,
      presence: this.presence.snapshot(),
      dialRequest: this.dialRequest ? { ...this.dialRequest } : null,
      ...this.contactCenter.snapshot(calls),
    };
  }

  protected changed(): void {
    this.publisher.changed();
  }
}
