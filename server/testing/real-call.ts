import { TestClient } from './test-client.js';
import type { TestServer } from './test-server.js';

/** Where a real call can be placed: the signaling URL and a way to get users' access tokens. */
export interface CallTarget {
  signalingUrl: string;
  /** An access token of a user who exists. */
  token(userId: string): Promise<string>;
}

export interface RealCallResult {
  /** invite sent → bob's `call.incoming`, and the whole call, in ms. */
  inviteToIncomingMs: number;
  totalMs: number;
}

/**
 * One ordinary call from start to end, each step checked: invite → incoming → accept → active →
 * hang-up, both sides told `completed`, and the record in the callee's history. What the fuzzers
 * end with: whatever came before, the server must still do this.
 */
export async function placeRealCall(
  target: CallTarget,
  callerId: string,
  calleeId: string,
  callId: string,
): Promise<RealCallResult> {
  const started = Date.now();
  const signIn = async (userId: string): Promise<TestClient> =>
    (
      await TestClient.signIn(target.signalingUrl, await target.token(userId), {
        id: `real-call-${userId}`,
      })
    ).client;
  const caller = await signIn(callerId);
  const callee = await signIn(calleeId);
  const fail = (step: string, detail: unknown): never => {
    throw new Error(`real call ${callId}: ${step}: ${JSON.stringify(detail)}`);
  };
  try {
    const incoming = callee.waitFor('call.incoming', (d) => d.call.callId === callId);
    const invitedAt = Date.now();
    const { call } = await caller.request('call.invite', {
      callId,
      callees: [calleeId],
      media: 'audio',
    });
    if (call.state !== 'ringing') fail('invite', call.state);
    await incoming;
    const inviteToIncomingMs = Date.now() - invitedAt;
    const accepted = await callee.request('call.accept', { callId });
    if (accepted.call.state !== 'active') fail('accept', accepted.call.state);
    const calleeEnded = callee.waitFor('call.ended', (d) => d.call.callId === callId);
    const callerEnded = caller.waitFor('call.ended', (d) => d.call.callId === callId);
    await caller.request('call.hangup', { callId });
    for (const ended of [await calleeEnded, await callerEnded]) {
      if (ended.reason !== 'completed') fail('ended', ended.reason);
    }
    const { records } = await callee.request('history.list', {});
    const record = records.find((r) => r.callId === callId);
    if (record?.endReason !== 'completed') fail('record', record);
    const invalid = [...caller.invalidFrames, ...callee.invalidFrames];
    if (invalid.length > 0) fail('invalid frames', invalid);
    return { inviteToIncomingMs, totalMs: Date.now() - started };
  } finally {
    await Promise.all([caller.close(), callee.close()]);
  }
}

/** A call target on an in-process test server (tokens straight from its token service). */
export function inProcessTarget(t: TestServer): CallTarget {
  return {
    signalingUrl: t.server.signalingUrl,
    token: async (userId) => (await t.server.services.tokens.issue(userId, 'access')).token,
  };
}
