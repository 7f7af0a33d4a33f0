import type {
  ClientSettings,
  SettingsView,
  SoftphoneApi,
  SoftphoneEventData,
  SoftphoneEventName,
  SoftphoneSnapshot,
} from '../../protocol/softphone.js';
import type { CallRecord } from '../../protocol/index.js';
import { DEFAULT_CLIENT_SETTINGS } from '../../core/softphone/index.js';

/**
 * An in-memory SoftphoneApi for component tests only (never shipped): a settable snapshot,
 * recorded commands, and canned directory and history answers.
 */
export class MemorySoftphone implements SoftphoneApi {
  readonly shell = 'browser' as const;
  readonly commands: { name: string; args: unknown }[] = [];
  snapshot: SoftphoneSnapshot = {
    connection: 'connected',
    account: { userId: 'alice', displayName: 'Alice', serverUrl: 'http://127.0.0.1:1' },
    status: 'available',
    calls: [],
    missedUnread: 0,
    presence: [],
    dialRequest: null,
  };
  settings: SettingsView = {
    settings: {
      ...DEFAULT_CLIENT_SETTINGS,
      serverUrl: 'http://127.0.0.1:1',
      hotkeys: { answer: '', decline: '', hangup: '', mute: '' },
      favourites: [], // its own array: tests change it
    },
    locked: [],
  };
  directory = [{ userId: 'bob', displayName: 'Bob' }];
  records: CallRecord[] = [];
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();

  private record<T>(name: string, args: unknown, result: T): Promise<T> {
    this.commands.push({ name, args });
    return Promise.resolve(result);
  }

  /** Replaces the snapshot and pushes it, as core does on every change. */
  push(patch: Partial<SoftphoneSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const l of this.listeners.get('snapshot') ?? []) l(this.snapshot);
  }

  on<E extends SoftphoneEventName>(event: E, listener: (data: SoftphoneEventData<E>) => void) {
    const set = this.listeners.get(event) ?? new Set();
    const wrapped = listener as (data: unknown) => void;
    set.add(wrapped);
    this.listeners.set(event, set);
    return () => set.delete(wrapped);
  }

  getSnapshot = () => this.record('getSnapshot', {}, this.snapshot);
  signIn = (a: { serverUrl: string; userId: string; password: string }) =>
    this.record('signIn', a, { userId: a.userId, displayName: a.userId, serverUrl: a.serverUrl });
  signOut = () => this.record('signOut', {}, null);
  retryConnection = () => this.record('retryConnection', {}, null);
  setStatus = (a: { status: SoftphoneSnapshot['status'] }) => this.record('setStatus', a, null);
  call = (a: object) => this.record('call', a, { callId: 'call-00000001' });
  accept = (a: object) => this.record('accept', a, null);
  decline = (a: object) => this.record('decline', a, null);
  cancel = (a: object) => this.record('cancel', a, null);
  hangup = (a: object) => this.record('hangup', a, null);
  switchHere = (a: object) => this.record('switchHere', a, null);
  hold = (a: object) => this.record('hold', a, null);
  resume = (a: object) => this.record('resume', a, null);
  transfer = (a: object) => this.record('transfer', a, null);
  completeTransfer = (a: object) => this.record('completeTransfer', a, null);
  addParticipants = (a: object) => this.record('addParticipants', a, null);
  control = (a: object) => this.record('control', a, null);
  mediaTicket = (a: object) =>
    this.record('mediaTicket', a, { ticket: 't', sfuUrl: 'ws://127.0.0.1:1/sfu', expiresAt: 0 });
  searchDirectory = (a: { query: string }) =>
    this.record(
      'searchDirectory',
      a,
      this.directory.filter((d) => d.userId.includes(a.query.toLowerCase())),
    );
  watchPresence = (a: object) => this.record('watchPresence', a, null);
  history = (a: object) => this.record('history', a, { records: this.records });
  markMissedSeen = () => this.record('markMissedSeen', {}, null);
  getSettings = () => this.record('getSettings', {}, this.settings);
  updateSettings = (patch: Partial<ClientSettings>) => {
    this.settings = { ...this.settings, settings: { ...this.settings.settings, ...patch } };
    return this.record('updateSettings', patch, this.settings);
  };
  clearDialRequest = () => this.record('clearDialRequest', {}, null);
  // Seat calling: canned answers; tests push `agentState` / `supervisedQueues` themselves.
  agentStats = () =>
    this.record(
      'agentStats',
      {},
      {
        userId: 'alice',
        offered: 0,
        answered: 0,
        missed: 0,
        handleMs: 0,
        timeInStatusMs: {
          available: 0,
          'on-call': 0,
          'after-call-work': 0,
          break: 0,
          'logged-out': 0,
        },
      },
    );
  agentSetStatus = (a: { status: 'available' | 'break' | 'logged-out'; reason?: string }) => {
    const agent = this.agentOrThrow();
    const next = {
      ...agent,
      status: a.status,
      since: Date.now(),
      ...(a.reason ? { reason: a.reason } : {}),
    };
    this.push({ agentState: next });
    return this.record('agentSetStatus', a, next);
  };
  agentSettings = (a: { autoAnswer: boolean }) =>
    this.record('agentSettings', a, { ...this.agentOrThrow(), autoAnswer: a.autoAnswer });
  supervisorQueues = () => this.record('supervisorQueues', {}, this.queues);
  supervisorSubscribe = (a: object) => this.record('supervisorSubscribe', a, null);
  supervisorUnsubscribe = (a: object) => this.record('supervisorUnsubscribe', a, null);
  monitorTicket = (a: object) =>
    this.record('monitorTicket', a, {
      ticket: 't',
      sfuUrl: 'ws://127.0.0.1:1/sfu',
      expiresAt: 0,
      agentId: 'bob',
    });
  queues: { name: string; displayName?: string }[] = [];
  private agentOrThrow() {
    const agent = this.snapshot.agentState;
    if (!agent) throw new Error('not an agent');
    return agent;
  }
}
