import { describe, expect, it } from 'vitest';
import type { Leg } from '../../protocol/index.js';
import type { SoftphoneCall } from '../../protocol/softphone.js';
import type { RemoteTrack } from '../media/media-session.js';
import { canModerate, moderatorOf, remotePeople, stageOf, titleNames } from './call-screen.js';
import { endingOf, timeOfDay } from './ending.js';

const leg = (userId: string, over: Partial<Leg> = {}): Leg => ({
  userId,
  state: 'accepted',
  invitedBy: 'alice',
  invitedAt: 1_000,
  expiresAt: 31_000,
  answeredAt: 5_000,
  muted: { audio: false, video: false },
  ...over,
});

const call = (legs: Leg[], over: Partial<SoftphoneCall> = {}): SoftphoneCall => ({
  callId: 'call-00000001',
  direction: 'outgoing',
  state: 'active',
  waiting: false,
  localMedia: 'video',
  info: {
    callId: 'call-00000001',
    callerId: 'alice',
    callerDevice: 'dev-a',
    moderatorId: 'alice',
    media: 'video',
    state: 'active',
    createdAt: 1_000,
    callerMuted: { audio: false, video: false },
    legs,
  },
  ...over,
});

const track = (userId: string, source: RemoteTrack['source'], paused = false): RemoteTrack => ({
  consumerId: `${userId}-${source}`,
  producerId: `p-${userId}-${source}`,
  userId,
  kind: source === 'mic' ? 'audio' : 'video',
  source,
  track: {} as MediaStreamTrack,
  paused,
});

describe('the call screen reads the call', () => {
  it('shows a remote self-mute from the paused producer and a camera-off from a missing or paused camera', () => {
    const c = call([leg('bob'), leg('carol')]);
    const remote = new Map([
      ['bob', [track('bob', 'mic', true), track('bob', 'camera')]],
      ['carol', [track('carol', 'mic'), track('carol', 'camera', true)]],
    ]);
    expect(remotePeople(c, 'alice', remote)).toEqual([
      { userId: 'bob', micOff: true, cameraOff: false, reconnecting: false },
      { userId: 'carol', micOff: false, cameraOff: true, reconnecting: false },
    ]);
    // In an audio call nobody's camera is "off": there is none.
    const audio = call([leg('bob')], { localMedia: 'audio' });
    expect(remotePeople(audio, 'alice', new Map([['bob', [track('bob', 'mic')]]]))).toEqual([
      { userId: 'bob', micOff: false, cameraOff: false, reconnecting: false },
    ]);
    // The moderator's mute counts even before any track arrives.
    const muted = call([leg('bob', { muted: { audio: true, video: false } })], {
      localMedia: 'audio',
    });
    expect(remotePeople(muted, 'alice', new Map())[0]?.micOff).toBe(true);
  });

  it('puts a screen share on the stage first, then the speaker, then the first camera', () => {
    const c = call([leg('bob'), leg('carol')]);
    const remote = new Map([
      ['bob', [track('bob', 'camera')]],
      ['carol', [track('carol', 'camera'), track('carol', 'screen')]],
    ]);
    const people = remotePeople(c, 'alice', remote);
    expect(stageOf(people, remote, 'bob')).toMatchObject({ userId: 'carol', screen: true });
    remote.set('carol', [track('carol', 'camera')]);
    expect(stageOf(people, remote, 'carol')).toMatchObject({ userId: 'carol', screen: false });
    expect(stageOf(people, remote, null)).toMatchObject({ userId: 'bob', screen: false });
    expect(stageOf([], remote, null)).toBeUndefined();
  });

  it('offers moderation to the moderator of a group of three or more only, never in a 1:1', () => {
    expect(canModerate(call([leg('bob')]), 'alice')).toBe(false);
    expect(canModerate(call([leg('bob'), leg('carol')]), 'alice')).toBe(true);
    expect(canModerate(call([leg('bob'), leg('carol')]), 'bob')).toBe(false);
    // A callee who left does not count.
    expect(canModerate(call([leg('bob'), leg('carol', { leftAt: 9_000 })]), 'alice')).toBe(false);
  });

  it('in a queue call the answering agent moderates, never the customer who called in', () => {
    const group = call([leg('agent-ann'), leg('sup-sam')]);
    const queued = {
      ...group,
      info: group.info && {
        ...group.info,
        queue: { queue: 'sales', enteredAt: 1_000, agentId: 'agent-ann' },
      },
    };
    expect(canModerate(queued, 'agent-ann')).toBe(true);
    expect(canModerate(queued, 'alice')).toBe(false);
    expect(moderatorOf(queued)).toBe('agent-ann');
  });

  it('titles the call by the first two names and counts the rest', () => {
    expect(titleNames(['Bob'])).toEqual({ shown: 'Bob', more: 0 });
    expect(titleNames(['Bob', 'Carol', 'Dave', 'Erin'])).toEqual({ shown: 'Bob, Carol', more: 2 });
  });
});

describe('endings, from the side that sees them', () => {
  const ended = (over: Partial<SoftphoneCall>, legs = [leg('bob')]) =>
    call(legs, { state: 'ended', endedAt: 42_000, ...over });

  it('the callee missed a call that rang and was canceled or timed out', () => {
    const c = ended({ direction: 'incoming', endReason: 'canceled' }, [
      leg('bob', { state: 'canceled', answeredAt: undefined }),
    ]);
    expect(endingOf('ringing', c, 'bob')).toEqual({ kind: 'missed', from: 'alice', at: 1_000 });
    expect(endingOf('ringing', { ...c, endReason: 'timeout' }, 'bob')?.kind).toBe('missed');
    // Declining it myself is not missing it.
    expect(endingOf('ringing', { ...c, endReason: 'declined' }, 'bob')).toBeUndefined();
  });

  it('the caller hears declined, busy, do-not-disturb and no answer', () => {
    const noAnswer = [leg('bob', { state: 'refused', answeredAt: undefined })];
    expect(endingOf('ringback', ended({ endReason: 'refused' }, noAnswer), 'alice')).toEqual({
      kind: 'declined',
      who: ['bob'],
    });
    expect(endingOf('dialing', ended({ endReason: 'busy' }, noAnswer), 'alice')?.kind).toBe('busy');
    expect(endingOf('dialing', ended({ endReason: 'dnd' }, noAnswer), 'alice')?.kind).toBe('dnd');
    expect(endingOf('ringback', ended({ endReason: 'timeout' }, noAnswer), 'alice')?.kind).toBe(
      'noAnswer',
    );
  });

  it('a call that connected says with whom and how long, on both sides', () => {
    const c = ended({ endReason: 'completed' });
    expect(endingOf('active', c, 'alice')).toEqual({ kind: 'ended', who: ['bob'], seconds: 37 });
    expect(endingOf('active', { ...c, direction: 'incoming' }, 'bob')).toEqual({
      kind: 'ended',
      who: ['alice'],
      seconds: 37,
    });
  });

  it('writes the time of day as hh:mm', () => {
    expect(timeOfDay(new Date(2026, 11, 4, 7, 5).getTime())).toBe('07:05');
  });
});
