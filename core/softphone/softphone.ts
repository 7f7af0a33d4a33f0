import {
  type MediaKind,
  SOFTPHONE_COMMANDS,
  type SoftphoneAccount,
  type SoftphoneApi,
  type SoftphoneArgs,
  type SoftphoneCommand,
  SoftphoneError,
  type SoftphoneEventData,
  type SoftphoneEventName,
  type SoftphoneResult,
  type SoftphoneSnapshot,
  mediaKindSchema,
} from '../../protocol/index.js';
import { z } from 'zod';
import { listHistory } from './history.js';
import { SoftphoneBase } from './softphone-base.js';

const dialTargetSchema = z.string().trim().min(1).max(512);

/**
 * The platform-neutral softphone behind the renderer contract (`SoftphoneApi`): sign-in and the
 * saved session, the signaling connection, calls, presence, history, directory and settings.
 * Electron's main process runs one and relays it over IPC; the web client uses one directly.
 * State reaches listeners as one snapshot, re-emitted (coalesced per microtask) on every change.
 */
export class Softphone extends SoftphoneBase implements SoftphoneApi {
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
    return this.events.on(event, listener);
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
      const session = this.requireSession();
      const seen = this.presence.lastEventOf(session.account.userId);
      await session.signaling.request('presence.setStatus', { status });
      // Another device's status change handled since is newer than ours: it stays.
      if (this.presence.lastEventOf(session.account.userId) === seen) this.status = status;
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

  switchHere(args: SoftphoneArgs<'switchHere'>): Promise<null> {
    return this.run('switchHere', args, (a) =>
      this.callCommands.switchHere(this.requireSession(), a),
    );
  }

  hold(args: SoftphoneArgs<'hold'>): Promise<null> {
    return this.run('hold', args, (a) => this.callCommands.hold(this.requireSession(), a));
  }

  resume(args: SoftphoneArgs<'resume'>): Promise<null> {
    return this.run('resume', args, (a) => this.callCommands.resume(this.requireSession(), a));
  }

  transfer(args: SoftphoneArgs<'transfer'>): Promise<null> {
    return this.run('transfer', args, (a) => this.callCommands.transfer(this.requireSession(), a));
  }

  completeTransfer(args: SoftphoneArgs<'completeTransfer'>): Promise<null> {
    return this.run('completeTransfer', args, (a) =>
      this.callCommands.completeTransfer(this.requireSession(), a),
    );
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

  retryConnection(args: SoftphoneArgs<'retryConnection'>): Promise<null> {
    return this.run('retryConnection', args, () => {
      this.reconnectNow();
      return Promise.resolve(null);
    });
  }

  markMissedSeen(args: SoftphoneArgs<'markMissedSeen'>): Promise<null> {
    return this.run('markMissedSeen', args, async () => {
      await this.missed.reset();
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
      if (changed.includes('callWaiting') && patch.callWaiting !== undefined) {
        await this.callWaiting.change(this.session, patch.callWaiting);
      }
      await this.settings.update(patch);
      if (changed.includes('favourites')) {
        this.presence.setFavourites(this.settings.settings.favourites).catch((error: unknown) => {
          this.backgroundError(error, 'watching favourites');
        });
      }
      return this.settings.view();
    });
  }

  // ---- seat calling (contact-center.ts) ----------------------------------------------------

  agentSetStatus(
    args: SoftphoneArgs<'agentSetStatus'>,
  ): Promise<SoftphoneResult<'agentSetStatus'>> {
    return this.run('agentSetStatus', args, async (a) => {
      const { agent } = await this.requireSession().signaling.request('agent.setStatus', a);
      return this.contactCenter.setAgent(agent);
    });
  }

  agentSettings(args: SoftphoneArgs<'agentSettings'>): Promise<SoftphoneResult<'agentSettings'>> {
    return this.run('agentSettings', args, async (a) => {
      const { agent } = await this.requireSession().signaling.request('agent.settings', a);
      return this.contactCenter.setAgent(agent);
    });
  }

  agentStats(args: SoftphoneArgs<'agentStats'>): Promise<SoftphoneResult<'agentStats'>> {
    return this.run('agentStats', args, async () => {
      const { stats } = await this.requireSession().signaling.request('agent.stats', {});
      return stats;
    });
  }

  supervisorQueues(
    args: SoftphoneArgs<'supervisorQueues'>,
  ): Promise<SoftphoneResult<'supervisorQueues'>> {
    return this.run('supervisorQueues', args, async () => {
      const { queues } = await this.requireSession().signaling.request('supervisor.queues', {});
      return queues;
    });
  }

  supervisorSubscribe(args: SoftphoneArgs<'supervisorSubscribe'>): Promise<null> {
    return this.run('supervisorSubscribe', args, async ({ queues }) => {
      await this.contactCenter.subscribe(this.requireSession(), queues);
      return null;
    });
  }

  supervisorUnsubscribe(args: SoftphoneArgs<'supervisorUnsubscribe'>): Promise<null> {
    return this.run('supervisorUnsubscribe', args, async ({ queues }) => {
      await this.contactCenter.unsubscribe(this.requireSession(), queues);
      return null;
    });
  }

  monitorTicket(args: SoftphoneArgs<'monitorTicket'>): Promise<SoftphoneResult<'monitorTicket'>> {
    return this.run('monitorTicket', args, (a) =>
      this.requireSession().signaling.request('supervisor.monitor', a),
    );
  }

  clearDialRequest(args: SoftphoneArgs<'clearDialRequest'>): Promise<null> {
    return this.run('clearDialRequest', args, () => {
      this.dialRequest = null;
      this.changed();
      return Promise.resolve(null);
    });
  }
}
