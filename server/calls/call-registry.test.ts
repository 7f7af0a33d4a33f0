import { describe, expect, it } from 'vitest';
import type { CallInfo, Leg, QueueOffer } from '../../protocol/index.js';
import { toJsonText } from '../../protocol/index.js';
import { CallRegistry } from './call-registry.js';
import { newLiveCall } from './live-call.js';

function ringingCall(callId: string, callerId: string, callees: string[]): CallInfo {
  const legs: Leg[] = callees.map((userId) => ({
    userId,
    state: 'ringing',
    invitedBy: callerId,
    invitedAt: 1,
    expiresAt: 60_001,
    muted: { audio: false, video: false },
  }));
  return {
    callId,
    callerId,
    callerDevice: 'd-caller',
    moderatorId: callerId,
    media: 'audio',
    state: 'ringing',
    createdAt: 1,
    callerMuted: { audio: false, video: false },
    legs,
  };
}

function offerFrom(queue: string): QueueOffer {
  return { queue, callerId: 'alice', callerName: 'Alice', waitMs: 1_500, autoAnswer: false };
}

function answer(info: CallInfo, userId: string): void {
  const leg = info.legs.find((l) => l.userId === userId);
  if (!leg) throw new Error(`no leg for ${userId}`);
  leg.state = 'accepted';
  leg.answeredAt = 2;
  leg.answeredDevice = `d-${userId}`;
  info.state = 'active';
}

describe('CallRegistry', () => {
  it('knows a live call, then its final state once retired, and drops it from every index', () => {
    const registry = new CallRegistry();
    const info = ringingCall('call-0001', 'alice', ['bob']);
    const call = newLiveCall(info);
    registry.add(call);
    registry.ringing('bob', 'call-0001');
    registry.hold('call-0001');
    registry.setOffer('call-0001', 'bob', offerFrom('sales'));
    expect(registry.live('call-0001')).toBe(call);
    expect(registry.get('call-0001')).toBe(info);
    expect(registry.callsOf('alice').map((c) => c.callId)).toEqual(['call-0001']);
    expect(registry.pendingCallsOf('bob')).toEqual([call]);
    expect(registry.counts()).toEqual({ ringing: 1, active: 0 });

    answer(info, 'bob');
    registry.involve('bob', 'call-0001');
    info.state = 'ended';
    info.endReason = 'completed';
    registry.retire(info, toJsonText(info));

    expect(registry.live('call-0001')).toBeUndefined();
    expect(registry.has('call-0001')).toBe(false);
    // The ended call is read back from its text: equal, not the same object.
    expect(registry.get('call-0001')).toEqual(info);
    expect(registry.get('call-0001')).not.toBe(info);
    expect(registry.callsOf('alice')).toEqual([]);
    expect(registry.callsOf('bob')).toEqual([]);
    expect(registry.isHeld('call-0001')).toBe(false);
    expect(registry.offerFor('call-0001', 'bob')).toBeUndefined();
    expect(registry.counts()).toEqual({ ringing: 0, active: 0 });
  });

  it('counts a user busy only while present in an active call', () => {
    const registry = new CallRegistry();
    const info = ringingCall('call-0002', 'alice', ['bob']);
    registry.add(newLiveCall(info));
    expect(registry.isBusy('alice')).toBe(false); // Ringing: not busy yet.
    answer(info, 'bob');
    registry.involve('bob', 'call-0002');
    expect(registry.isBusy('alice')).toBe(true);
    expect(registry.isBusy('bob')).toBe(true);
    expect(registry.isBusy('carol')).toBe(false);
    info.callerLeftAt = 3;
    expect(registry.isBusy('alice')).toBe(false); // Left, though still indexed until uninvolved.
    registry.uninvolve('alice', 'call-0002');
    expect(registry.callsOf('alice')).toEqual([]);
  });

  it('lists pending invitations per user until ringing stops', () => {
    const registry = new CallRegistry();
    const first = newLiveCall(ringingCall('call-0003', 'alice', ['carol']));
    const second = newLiveCall(ringingCall('call-0004', 'bob', ['carol']));
    registry.add(first);
    registry.add(second);
    registry.ringing('carol', 'call-0003');
    registry.ringing('carol', 'call-0004');
    expect(registry.pendingCallsOf('carol')).toEqual([first, second]);
    registry.stoppedRinging('carol', 'call-0003');
    expect(registry.pendingCallsOf('carol')).toEqual([second]);
    registry.stoppedRinging('carol', 'call-0004');
    expect(registry.pendingCallsOf('carol')).toEqual([]);
  });

  it('holds queue calls until released, and keeps each agent offer', () => {
    const registry = new CallRegistry();
    registry.add(newLiveCall(ringingCall('queue-call-1', 'alice', [])));
    registry.hold('queue-call-1');
    expect(registry.heldCalls().map((c) => c.callId)).toEqual(['queue-call-1']);
    const offer = offerFrom('support');
    registry.setOffer('queue-call-1', 'agent-1', offer);
    expect(registry.offerFor('queue-call-1', 'agent-1')).toEqual(offer);
    expect(registry.offerFor('queue-call-1', 'agent-2')).toBeUndefined();
    expect(registry.release('queue-call-1')).toBe(true);
    expect(registry.release('queue-call-1')).toBe(false);
    expect(registry.heldCalls()).toEqual([]);
  });
});
