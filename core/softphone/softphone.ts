import {
  type MediaKind,
  type ParsedEvent,
  type PresenceStatus,
  SOFTPHONE_COMMANDS,
  type SoftphoneAccount,
  type SoftphoneApi,
  type SoftphoneArgs,
  type SoftphoneCommand,
  type SoftphoneConnection,
  SoftphoneError,
  type SoftphoneEventData,
  type SoftphoneEventName,
  type SoftphoneResult,
  type SoftphoneSnapshot,
  type TokenResponse,
  mediaKindSchema,
} from '../../protocol/index.js';
import type { CallIntent } from '../calls/call-machine.js';
import type { HelloResult, SignalingError } from '../signaling/signaling-client.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { AuthClient, normalizeServerUrl, signalingUrlOf } from './auth.js';
import { CallCommands } from './call-commands.js';
import { CallList, DEFAULT_ENDED_CALL_RETENTION_MS } from './call-list.js';
import { parseArgs, toSoftphoneError } from './errors.js';
import { listHistory } from './history.js';
import { STORE_KEYS, readJson, writeJson } from './persistence.js';
import { PresenceWatch } from './presence-watch.js';
import { Session, SessionStore } from './session.js';
import { DEFAULT_CLIENT_SETTINGS, SettingsService, storeSettingsProvider } from './settings.js';
import {
  type SoftphoneEventMap,
  type SoftphoneLogger,
  type SoftphoneOptions,
  silentSoftphoneLogger,
} from './types.js';
import { z } from 'zod';

class Events extends TypedEmitter<SoftphoneEventMap> {
  fire<K extends keyof SoftphoneEventMap>(event: K, ...args: SoftphoneEventMap[K]): void {
    this.emit(event, ...args);
  }
}

const deviceIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/);
const dialTargetSchema = z.string().trim().min(1).max(512);

/**
 * The platform-neutral softphone behind the renderer contract (`SoftphoneApi`): sign-in and the
 * saved session, the signaling connection, calls, presence, history, directory and settings.
 * Electron's main process runs one and relays it over IPC; the web client uses one directly.
 * State reaches listeners as one snapshot, re-emitted (coalesced per microtask) on every change.
 */
export class Softphone implements SoftphoneApi {
  readonly shell: 'electron' | 'browser';
  private readonly events = new Events();
  private readonly log: SoftphoneLogger;
  private readonly auth: AuthClient;
  private readonly sessions: SessionStore;
  private readonly settings: SettingsService;
  private readonly presence: PresenceWatch;
  private readonly callList: CallList;
  private readonly callCommands: CallCommands;
  private session: Session | undefined;
  private deviceId = '';
  private status: PresenceStatus = 'available';
  private missedUnread = 0;
  private dialRequest: SoftphoneSnapshot['dialRequest'] = null;
  /** A callWaiting change made while offline: the server learns it at the next hello. */
  private callWaitingUnsynced = false;
  private started: Promise<void> | undefined;
  /** Sign-in and sign-out run one at a time. */
  private exclusive: Promise<unknown> = Promise.resolve();
  private snapshotQueued = false;
  private lastSnapshotJson = '';

  constructor(private readonly options: SoftphoneOptions) {
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
    );
    this.callCommands = new CallCommands(this.callList, (error, callId) => {
      this.fireError(error, callId);
    });
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

  /** Closes the connection (app quit); the account stays signed in for the next start. */
  async close(): Promise<void> {
    await this.start().catch(() => undefined);
    this.session?.close();
    this.session = undefined;
    this.callList.clear();
    this.presence.attach(undefined, undefined);
  }

  /** Runs a command by name with untrusted arguments (the IPC relay). */
  invoke<C extends SoftphoneCommand>(command: C, args: unknown): Promise<SoftphoneResult<C>> {
    if (!SOFTPHONE_COMMANDS.includes(command)) {
      return Promise.reject(new SoftphoneError('invalid-argument', `unknown command ${command}`));
    }
    const method = this[command] as (args: unknown) => Promise<SoftphoneResult<C>>;
    return method.call(this, args);
  }

  on<E extends SoftphoneEventName>(
    event: E,
    listener: (data: SoftphoneEventData<E>) => void,
  ): () => void {
    return this.events.on(event, listener as (...args: SoftphoneEventMap[E]) => void);
  }

  /** For the shells: what to do when a call changes (ringtone, ringing window, ringback). */
  onIntent(listener: (...args: SoftphoneEventMap['intent']) => void): () => void {
    return this.events.on('intent', listener);
  }

  /** A click-to-call link or a dialer request from the shell: the dialer opens pre-filled. */
  requestDial(target: string | { target: string; media?: MediaKind }, media?: MediaKind): void {
    const request = typeof target === 'string' ? { target, media } : target;
    const parsedTarget = dialTargetSchema.safeParse(request.target);
    const parsedMedia = mediaKindSchema.optional().safeParse(request.media);
    if (!parsedTarget.success || !parsedMedia.success) {
      throw new SoftphoneError('invalid-argument', 'requestDial: a target of 1-512 characters');
    }
    this.dialRequest = { target: parsedTarget.data, media: parsedMedia.data ?? 'audio' };
    this.changed();
  }

  // ---- commands --------------------------------------------------------------------------

  getSnapshot(args: SoftphoneArgs<'getSnapshot'>): Promise<SoftphoneSnapshot> {
    return this.run('getSnapshot', args, () => Promise.resolve(this.buildSnapshot()));
  }

  signIn(args: SoftphoneArgs<'signIn'>): Promise<SoftphoneAccount> {
    return this.run('signIn', args, (a) => this.serially(() => this.doSignIn(a)));
  }

  signOut(args: SoftphoneArgs<'signOut'>): Promise<null> {
    return this.run('signOut', args, () =>
      this.serially(async () => {
        await this.endSession(true);
        return null;
      }),
    );
  }

  setStatus(args: SoftphoneArgs<'setStatus'>): Promise<null> {
    return this.run('setStatus', args, async ({ status }) => {
      await this.requireSession().signaling.request('presence.setStatus', { status });
      this.status = status;
      this.changed();
      return null;
    });
  }

  call(args: SoftphoneArgs<'call'>): Promise<{ callId: string }> {
    return this.run('call', args, (a) => this.callCommands.place(this.requireSession(), a));
  }

  accept(args: SoftphoneArgs<'accept'>): Promise<null> {
    return this.run('accept', args, (a) => this.callCommands.accept(this.requireSession(), a));
  }

  decline(args: SoftphoneArgs<'decline'>): Promise<null> {
    return this.run('decline', args, (a) => this.callCommands.decline(this.requireSession(), a));
  }

  cancel(args: SoftphoneArgs<'cancel'>): Promise<null> {
    return this.run('cancel', args, (a) => this.callCommands.cancel(this.requireSession(), a));
  }

  hangup(args: SoftphoneArgs<'hangup'>): Promise<null> {
    return this.run('hangup', args, (a) => this.callCommands.hangup(this.requireSession(), a));
  }

  addParticipants(args: SoftphoneArgs<'addParticipants'>): Promise<null> {
    return this.run('addParticipants', args, async ({ callId, userIds }) => {
      await this.requireSession().signaling.request('call.add', { callId, callees: userIds });
      return null;
    });
  }

  control(args: SoftphoneArgs<'control'>): Promise<null> {
    return this.run('control', args, async (a) => {
      await this.requireSession().signaling.request('call.control', a);
      return null;
    });
  }

  mediaTicket(args: SoftphoneArgs<'mediaTicket'>): Promise<SoftphoneResult<'mediaTicket'>> {
    return this.run('mediaTicket', args, ({ callId }) =>
      this.requireSession().signaling.request('media.ticket', { callId }),
    );
  }

  searchDirectory(
    args: SoftphoneArgs<'searchDirectory'>,
  ): Promise<SoftphoneResult<'searchDirectory'>> {
    return this.run('searchDirectory', args, async (a) => {
      const { users } = await this.requireSession().signaling.request('directory.search', a);
      return users;
    });
  }

  watchPresence(args: SoftphoneArgs<'watchPresence'>): Promise<null> {
    return this.run('watchPresence', args, async ({ userIds }) => {
      this.requireSession();
      await this.presence.setWatched(userIds);
      return null;
    });
  }

  history(args: SoftphoneArgs<'history'>): Promise<SoftphoneResult<'history'>> {
    return this.run('history', args, (a) => {
      const session = this.requireSession();
      return listHistory(session.signaling, session.account.userId, a);
    });
  }

  markMissedSeen(args: SoftphoneArgs<'markMissedSeen'>): Promise<null> {
    return this.run('markMissedSeen', args, async () => {
      await this.setMissed(0);
      return null;
    });
  }

  getSettings(args: SoftphoneArgs<'getSettings'>): Promise<SoftphoneResult<'getSettings'>> {
    return this.run('getSettings', args, () => Promise.resolve(this.settings.view()));
  }

  updateSettings(
    args: SoftphoneArgs<'updateSettings'>,
  ): Promise<SoftphoneResult<'updateSettings'>> {
    return this.run('updateSettings', args, async (patch) => {
      const changed = this.settings.check(patch);
      const session = this.session;
      if (changed.includes('callWaiting') && patch.callWaiting !== undefined) {
        // The server enforces call waiting (busy refusals): it hears first, and a refusal there
        // leaves everything as it was.
        if (session?.connected) {
          await session.signaling.request('settings.update', { callWaiting: patch.callWaiting });
          this.callWaitingUnsynced = false;
        } else {
          this.callWaitingUnsynced = true;
        }
        session?.calls.setCallWaiting(patch.callWaiting);
      }
      await this.settings.update(patch);
      if (changed.includes('favourites')) {
        this.presence.setFavourites(this.settings.settings.favourites).catch((error: unknown) => {
          this.fireError(error);
        });
      }
      return this.settings.view();
    });
  }

  clearDialRequest(args: SoftphoneArgs<'clearDialRequest'>): Promise<null> {
    return this.run('clearDialRequest', args, () => {
      this.dialRequest = null;
      this.changed();
      return Promise.resolve(null);
    });
  }

  // ---- sign-in and the session -----------------------------------------------------------

  private async init(): Promise<void> {
    await this.settings.load();
    await this.presence.setFavourites(this.settings.settings.favourites);
    this.deviceId = await this.loadDeviceId();
    const saved = await this.sessions.load();
    if (saved) {
      this.log.info({ userId: saved.account.userId }, 'restoring the saved session');
      this.missedUnread = await this.sessions.loadMissed(saved.account.userId);
      this.openSession(saved.account, saved.refreshToken);
    }
    this.changed();
  }

  private async loadDeviceId(): Promise<string> {
    const given = this.options.device.id;
    if (given !== undefined) return deviceIdSchema.parse(given);
    const { store } = this.options;
    const saved = await readJson(store, STORE_KEYS.deviceId, deviceIdSchema);
    if (saved !== undefined) return saved;
    const id = `${this.options.device.platform}-${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`;
    await writeJson(store, STORE_KEYS.deviceId, id);
    return id;
  }

  private async doSignIn(args: SoftphoneArgs<'signIn'>): Promise<SoftphoneAccount> {
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
    this.missedUnread = await this.sessions.loadMissed(account.userId);
    const session = this.openSession(account, tokens.refreshToken, tokens);
    try {
      await this.firstHello(session);
    } catch (error) {
      // Signing in did not complete: nothing of it survives a restart.
      await this.sessions.clear();
      if (!session.failed) await this.endSession(false);
      throw error;
    }
    this.log.info({ userId: account.userId }, 'signed in');
    return { ...account };
  }

  private firstHello(session: Session): Promise<void> {
    return new Promise((resolve, reject) => {
      const timeoutMs = this.options.signInTimeoutMs ?? 15_000;
      const cleanup = () => {
        clearTimeout(timer);
        offReady();
        offFatal();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new SoftphoneError('unreachable', `no signaling answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const offReady = session.signaling.once('ready', () => {
        cleanup();
        resolve();
      });
      const offFatal = session.signaling.once('fatal', (error) => {
        cleanup();
        reject(toSoftphoneError(error));
      });
      if (session.connected) {
        cleanup();
        resolve();
      }
    });
  }

  private openSession(
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
      },
      initial,
    );
    this.session = session;
    const { signaling, calls } = session;
    session.own(
      signaling.on('state', () => {
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
      calls.on('state', (_state, previous, call) => {
        this.callCommands.onState(call, previous);
        this.changed();
      }),
      calls.on('intent', (intent, call) => {
        this.onCallIntent(session, intent, call.callId);
      }),
      calls.on('error', (error, call) => {
        this.callCommands.onError(error, call.callId);
      }),
    );
    this.presence.attach(signaling, account.userId);
    signaling.start();
    this.changed();
    return session;
  }

  private onReady(session: Session, hello: HelloResult): void {
    session.tokens.confirm();
    this.status = hello.status;
    if (hello.displayName !== session.account.displayName) {
      session.account.displayName = hello.displayName;
      this.sessions.saveAccount(session.account).catch(() => undefined);
    }
    this.syncCallWaiting(session, hello.settings.callWaiting);
    this.presence.resubscribe().catch((error: unknown) => {
      this.fireError(error);
    });
    this.changed();
  }

  /** Call waiting is the account's (the server enforces it); a policy or an offline edit wins. */
  private syncCallWaiting(session: Session, onServer: boolean): void {
    const local = this.settings.settings.callWaiting;
    if (local === onServer) return;
    if (this.settings.isLocked('callWaiting') || this.callWaitingUnsynced) {
      session.calls.setCallWaiting(local);
      session.signaling
        .request('settings.update', { callWaiting: local })
        .then(() => {
          this.callWaitingUnsynced = false;
        })
        .catch((error: unknown) => {
          this.fireError(error);
        });
    } else {
      this.settings.update({ callWaiting: onServer }).catch((error: unknown) => {
        this.fireError(error);
      });
    }
  }

  /** Call events are CallManager's; the rest the UI either shows or does not need. */
  private onEvent(session: Session, event: ParsedEvent): void {
    if (event.type === 'presence.changed') {
      this.presence.onPresence(event.data);
    } else if (event.type === 'message.received') {
      const { messageId, from, body } = event.data;
      this.events.fire('message', { messageId, from, body });
      session.signaling.request('message.ack', { messageId, from }).catch(() => undefined);
    } else if (event.type === 'session.closing') {
      if (event.data.reason === 'token-expired') session.tokens.invalidate();
      if (event.data.reason === 'replaced') {
        // Another client signed in with this device id: reconnecting would evict it in turn.
        session.failed = true;
        session.close();
        this.fireError(new SoftphoneError('replaced', 'signed in elsewhere with the same device'));
        this.changed();
      }
    }
  }

  private async onFatal(session: Session, error: SignalingError): Promise<void> {
    session.failed = true;
    this.log.warn({ userId: session.account.userId, code: error.code }, 'signaling stopped');
    // A refused token will not be accepted after a restart either; an incompatible server may be
    // upgraded, so that session is kept.
    if (error.code === 'unauthorized' && session === this.session) {
      await this.sessions.clear().catch(() => undefined);
    }
    this.fireError(error);
    this.changed();
  }

  private onCallIntent(session: Session, intent: CallIntent, callId: string): void {
    if (intent === 'record-missed' && session === this.session) {
      this.setMissed(this.missedUnread + 1).catch((error: unknown) => {
        this.fireError(error);
      });
    }
    const call = this.callList.toSnapshot().find((c) => c.callId === callId);
    if (call) this.events.fire('intent', intent, call);
  }

  private async setMissed(count: number): Promise<void> {
    this.missedUnread = count;
    this.changed();
    const userId = this.session?.account.userId;
    if (userId !== undefined) await this.sessions.saveMissed(userId, count);
  }

  /** Closes the current session; `forget` also signs out for good (stored session cleared). */
  private async endSession(forget: boolean): Promise<void> {
    const session = this.session;
    if (session) {
      this.session = undefined;
      if (forget && session.connected) await this.callCommands.endAll(session);
      session.close();
    }
    this.callList.clear();
    this.presence.attach(undefined, undefined);
    this.status = 'available';
    this.missedUnread = 0;
    if (forget) await this.sessions.clear();
    this.changed();
  }

  private requireSession(): Session {
    const session = this.session;
    if (!session || session.failed) throw new SoftphoneError('not-signed-in', 'sign in first');
    return session;
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private async run<C extends SoftphoneCommand, R>(
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

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const result = this.exclusive.then(task, task);
    this.exclusive = result.catch(() => undefined);
    return result;
  }

  private fireError(error: unknown, callId?: string): void {
    const { code, message } = toSoftphoneError(error);
    this.events.fire('error', callId === undefined ? { code, message } : { code, message, callId });
  }

  private connection(): SoftphoneConnection {
    const session = this.session;
    if (!session) return 'signed-out';
    if (session.failed) return 'failed';
    switch (session.signaling.state) {
      case 'idle':
      case 'connecting':
        return 'connecting';
      case 'connected':
        return 'connected';
      case 'reconnecting':
        return 'reconnecting';
      case 'closed':
        return 'failed';
    }
  }

  private buildSnapshot(): SoftphoneSnapshot {
    const account = this.session?.account;
    return {
      connection: this.connection(),
      account: account ? { ...account } : null,
      status: this.status,
      calls: this.callList.toSnapshot(),
      missedUnread: this.missedUnread,
      presence: this.presence.snapshot(),
      dialRequest: this.dialRequest ? { ...this.dialRequest } : null,
    };
  }

  /** Something changed: one snapshot per burst (a microtask later), none if nothing differs. */
  private changed(): void {
    if (this.snapshotQueued) return;
    this.snapshotQueued = true;
    queueMicrotask(() => {
      this.snapshotQueued = false;
      const snapshot = this.buildSnapshot();
      const json = JSON.stringify(snapshot);
      if (json === this.lastSnapshotJson) return;
      this.lastSnapshotJson = json;
      this.events.fire('snapshot', snapshot);
    });
  }
}
