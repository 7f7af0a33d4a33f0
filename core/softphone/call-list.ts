import type { SoftphoneCall, UserId } from '../../protocol/index.js';
import type { ClientCall } from '../calls/call-manager.js';
import { callPeers } from '../calls/call-peers.js';

/** How long an ended call stays in the snapshot, so the UI can show why it ended. */
export const DEFAULT_ENDED_CALL_RETENTION_MS = 60_000;
/** At most this many ended calls are shown, however fast they end. */
export const MAX_ENDED_CALLS = 20;

interface Entry {
  call: ClientCall;
  /** When it ended as far as the list is concerned (the softphone's clock). */
  endedAt?: number;
}

/**
 * The calls of the snapshot: CallManager's live ones, plus recently ended ones for a while. This
 * list is the one owner of how long an ended call is kept: it holds references to CallManager's
 * objects, drops ended ones after `retentionMs` or beyond MAX_ENDED_CALLS (so it never grows
 * without bound) and tells CallManager to forget them too (`onForgotten`).
 */
export class CallList {
  private readonly entries = new Map<string, Entry>();
  private pruneTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly now: () => number,
    private readonly retentionMs: number,
    /** Called when pruning removed calls on its own (a snapshot is due). */
    private readonly onPruned: () => void,
    /** Ended calls dropped from the list: their CallManager may forget them. */
    private readonly onForgotten: (callId: string) => void = () => undefined,
  ) {}

  /** A call changed state: track it (new) or note its end. */
  track(call: ClientCall): void {
    let entry = this.entries.get(call.callId);
    if (!entry) {
      entry = { call };
      this.entries.set(call.callId, entry);
    }
    entry.call = call;
    if (call.state === 'ended' && entry.endedAt === undefined) {
      entry.endedAt = this.now();
      this.prune();
    }
  }

  get(callId: string): ClientCall | undefined {
    return this.entries.get(callId)?.call;
  }

  clear(): void {
    this.entries.clear();
    clearTimeout(this.pruneTimer);
    this.pruneTimer = undefined;
  }

  /**
   * Live calls first (oldest first), then ended ones (most recent first). `me`: the signed-in
   * user, left out of each call's peers.
   */
  toSnapshot(me?: UserId): SoftphoneCall[] {
    const live: SoftphoneCall[] = [];
    const ended: { at: number; call: SoftphoneCall }[] = [];
    for (const entry of this.entries.values()) {
      const view = toSoftphoneCall(entry, me);
      if (entry.endedAt === undefined) live.push(view);
      else ended.push({ at: entry.endedAt, call: view });
    }
    ended.sort((a, b) => b.at - a.at);
    return [...live, ...ended.map((e) => e.call)];
  }

  private prune(): void {
    const cutoff = this.now() - this.retentionMs;
    const ended = [...this.entries.values()]
      .filter((e): e is Entry & { endedAt: number } => e.endedAt !== undefined)
      .sort((a, b) => b.endedAt - a.endedAt);
    let removed = false;
    for (const [index, entry] of ended.entries()) {
      if (entry.endedAt <= cutoff || index >= MAX_ENDED_CALLS) {
        this.entries.delete(entry.call.callId);
        this.onForgotten(entry.call.callId);
        removed = true;
      }
    }
    this.schedule();
    if (removed) this.onPruned();
  }

  /** One timer, for the oldest ended call still shown. */
  private schedule(): void {
    clearTimeout(this.pruneTimer);
    this.pruneTimer = undefined;
    let oldest: number | undefined;
    for (const entry of this.entries.values()) {
      if (entry.endedAt !== undefined && (oldest === undefined || entry.endedAt < oldest)) {
        oldest = entry.endedAt;
      }
    }
    if (oldest === undefined) return;
    const delay = Math.max(0, oldest + this.retentionMs - this.now()) + 1;
    this.pruneTimer = setTimeout(() => {
      this.prune();
    }, delay);
    // Node: a pending prune must not keep a process (a test, a CLI) alive.
    (this.pruneTimer as { unref?: () => void }).unref?.();
  }
}

function toSoftphoneCall({ call }: Entry, me: UserId | undefined): SoftphoneCall {
  const view: SoftphoneCall = {
    callId: call.callId,
    direction: call.direction,
    state: call.state,
    waiting: call.waiting,
    // Until placed or answered here, what the call offers.
    localMedia: call.localMedia ?? call.info?.media ?? 'audio',
  };
  if (call.endReason !== undefined) view.endReason = call.endReason;
  if (call.info !== undefined) {
    view.info = structuredClone(call.info);
    view.peers = callPeers(call.info, me);
  }
  if (call.endedAt !== undefined) view.endedAt = call.endedAt;
  return view;
}
