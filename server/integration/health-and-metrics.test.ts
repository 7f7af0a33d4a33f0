import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scenario } from './support.js';

let s: Scenario;
beforeEach(async () => {
  s = await Scenario.start({ calls: { defaultRingTimeoutMs: 10_000 } }, ['alice', 'bob']);
});
afterEach(async () => {
  await s.dispose();
});

const metricsText = async (): Promise<string> => {
  const res = await fetch(`${s.t.server.httpUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
};

describe('operations endpoints', () => {
  it('/healthz reports ok with the sessions and calls in progress', async () => {
    const alice = await s.signIn('alice');
    await s.signIn('bob');
    await alice.request('call.invite', { callId: 'health-001', callees: ['bob'], media: 'audio' });

    const health = await s.http('GET', '/healthz', { key: null });
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({
      status: 'ok',
      sessions: 2,
      calls: { ringing: 1, active: 0 },
    });
  });

  it('/metrics exposes the invite-to-ring latency and the calls by state', async () => {
    const alice = await s.signIn('alice');
    const bob = await s.signIn('bob');
    await alice.request('call.invite', { callId: 'metrics-01', callees: ['bob'], media: 'audio' });
    await bob.waitFor('call.incoming');
    await bob.request('call.ack', { callId: 'metrics-01' });

    const ringing = await metricsText();
    expect(ringing).toContain('trayphone_invite_to_ring_seconds');
    expect(ringing).toMatch(/^trayphone_invite_to_ring_seconds_count 1$/m);
    expect(ringing).toMatch(/^trayphone_calls\{state="ringing"\} 1$/m);
    expect(ringing).toMatch(/^trayphone_calls\{state="active"\} 0$/m);
    expect(ringing).toMatch(/^trayphone_sessions 2$/m);

    await bob.request('call.accept', { callId: 'metrics-01' });
    const active = await metricsText();
    expect(active).toMatch(/^trayphone_calls\{state="ringing"\} 0$/m);
    expect(active).toMatch(/^trayphone_calls\{state="active"\} 1$/m);

    await alice.request('call.hangup', { callId: 'metrics-01' });
    const ended = await metricsText();
    expect(ended).toMatch(/^trayphone_calls_ended_total\{reason="completed"\} 1$/m);
    expect(ended).toMatch(/^trayphone_calls_started_total 1$/m);
  });
});
