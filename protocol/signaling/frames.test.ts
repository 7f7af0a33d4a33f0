import { describe, expect, it } from 'vitest';
import type { CallInfo } from '../common.js';
import {
  encodeEvent,
  encodeEventJson,
  encodeResult,
  encodeResultJson,
  jsonObjectWith,
  parseServerFrame,
  toJsonText,
} from './frames.js';

const call: CallInfo = {
  callId: 'call-0001',
  callerId: 'alice',
  callerDevice: 'alice-laptop',
  moderatorId: 'alice',
  media: 'video',
  state: 'active',
  createdAt: 1_700_000_000_000,
  callerMuted: { audio: false, video: true },
  legs: [
    {
      userId: 'bob',
      state: 'accepted',
      invitedBy: 'alice',
      invitedAt: 1_700_000_000_010,
      expiresAt: 1_700_000_030_010,
      answeredAt: 1_700_000_002_000,
      answeredDevice: 'bob-phone',
      muted: { audio: false, video: false },
    },
    {
      userId: 'carol',
      state: 'refused',
      reason: 'busy',
      invitedBy: 'alice',
      invitedAt: 1_700_000_000_010,
      expiresAt: 1_700_000_030_010,
      muted: { audio: false, video: false },
    },
  ],
  payload: 'line\nbreak "quoted" \\ é 📞 \u2028 \u0001',
};

describe('frames around data encoded once', () => {
  it('encodeResultJson gives the text encodeResult gives, for numeric and string ids', () => {
    const data = jsonObjectWith('call', toJsonText(call), {});
    for (const id of [7, 'req-"1"']) {
      expect(encodeResultJson(id, data)).toBe(encodeResult(id, { call }));
    }
  });

  it('encodeEventJson gives the text encodeEvent gives, with members after the spliced one', () => {
    const json = toJsonText(call);
    expect(encodeEventJson('call.updated', jsonObjectWith('call', json, {}))).toBe(
      encodeEvent('call.updated', { call }),
    );
    expect(
      encodeEventJson('call.ended', jsonObjectWith('call', json, { reason: 'completed' })),
    ).toBe(encodeEvent('call.ended', { call, reason: 'completed' }));
    const offer = {
      queue: 'support',
      callerId: 'alice',
      callerName: 'Alice',
      waitMs: 1200,
      autoAnswer: false,
    };
    expect(
      encodeEventJson(
        'call.incoming',
        jsonObjectWith('call', json, { remainingMs: 29_000, busy: true, queue: offer }),
      ),
    ).toBe(encodeEvent('call.incoming', { call, remainingMs: 29_000, busy: true, queue: offer }));
  });

  it('members of the rest that are undefined are left out, as JSON.stringify does', () => {
    const json = toJsonText(call);
    expect(jsonObjectWith('call', json, { reason: undefined })).toBe(JSON.stringify({ call }));
  });

  it('clients parse the spliced frames like any other', () => {
    const frame = encodeEventJson(
      'call.ended',
      jsonObjectWith('call', toJsonText(call), { reason: 'completed' }),
    );
    expect(parseServerFrame(frame)).toEqual({
      kind: 'event',
      event: { type: 'call.ended', data: { call, reason: 'completed' } },
    });
    const response = parseServerFrame(
      encodeResultJson(3, jsonObjectWith('call', toJsonText(call), {})),
    );
    expect(response).toEqual({ kind: 'response', id: 3, ok: true, data: { call } });
  });
});
