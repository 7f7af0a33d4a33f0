import type { SoftphoneCall } from '../../protocol/softphone.js';
import { participantsOf } from '../call/call-view.js';
import type { RemoteTrack } from '../media/media-session.js';

/**
 * Pure reading of a call for the call screen: who is on the stage, what each person's
 * microphone and camera really do, and who may moderate. No React here, so it is tested in Node.
 */

/** What the others see of one participant: the server's moderator mutes or their own pause. */
export interface PersonState {
  userId: string;
  micOff: boolean;
  cameraOff: boolean;
  reconnecting: boolean;
}

/** A video call shows cameras; an audio call (as this device placed or answered it) does not. */
export const isVideoCall = (call: SoftphoneCall): boolean => call.localMedia === 'video';

/**
 * Each participant other than me as the room shows them. A microphone is off when the moderator
 * muted it or its producer is paused (the owner's own mute reaches us as `producer.paused`); a
 * camera is off when muted by the moderator, or, in a video call, when no unpaused camera track
 * arrives (turning the camera off closes its producer).
 */
export function remotePeople(
  call: SoftphoneCall,
  me: string,
  remote: ReadonlyMap<string, readonly RemoteTrack[]>,
): PersonState[] {
  const reconnecting = new Set(
    (call.peers ?? []).filter((p) => p.connection === 'reconnecting').map((p) => p.userId),
  );
  return participantsOf(call)
    .filter((p) => p.userId !== me)
    .map((p) => {
      const tracks = remote.get(p.userId) ?? [];
      const mic = tracks.find((t) => t.source === 'mic');
      const camera = tracks.find((t) => t.source === 'camera');
      return {
        userId: p.userId,
        micOff: p.muted.audio || (mic?.paused ?? false),
        cameraOff: p.muted.video || (isVideoCall(call) && (!camera || camera.paused)),
        reconnecting: reconnecting.has(p.userId),
      };
    });
}

/** The video on the stage: anyone's screen share first, then the speaker, then the first camera. */
export function stageOf(
  people: readonly PersonState[],
  remote: ReadonlyMap<string, readonly RemoteTrack[]>,
  speaker: string | null,
): { userId: string; track: RemoteTrack | undefined; screen: boolean } | undefined {
  const live = (userId: string, source: 'screen' | 'camera') =>
    remote.get(userId)?.find((t) => t.source === source && !t.paused);
  for (const p of people) {
    const screen = live(p.userId, 'screen');
    if (screen) return { userId: p.userId, track: screen, screen: true };
  }
  const first =
    people.find((p) => p.userId === speaker) ??
    people.find((p) => live(p.userId, 'camera')) ??
    people[0];
  return first
    ? { userId: first.userId, track: live(first.userId, 'camera'), screen: false }
    : undefined;
}

/**
 * Moderator controls make sense in a group (three or more people in the call) and only for the
 * moderator the server names: in a queue call that is the answering agent, never the caller.
 */
export const canModerate = (call: SoftphoneCall, me: string): boolean =>
  moderatorOf(call) === me && participantsOf(call).length >= 3;

/**
 * Who runs the call: in a queue call the agent who answered it (the customer who called in is
 * the call's creator, which the server may still name as moderator), else the server's moderator.
 */
export const moderatorOf = (call: SoftphoneCall): string | undefined =>
  call.info?.queue?.agentId ?? call.info?.moderatorId;

/** The call's title: the names of the others, "Bob" or "Bob, Carol" (then " +2"). */
export function titleNames(names: readonly string[]): { shown: string; more: number } {
  const shown = names.slice(0, 2).join(', ');
  return { shown, more: Math.max(0, names.length - 2) };
}
