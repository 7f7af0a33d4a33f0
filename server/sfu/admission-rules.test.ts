import { describe, expect, it } from 'vitest';
import type { VerifiedMediaTicket } from '../tokens.js';
import { TicketRules } from './admission.js';

const ticket = (ticketId: string, expiresAt: number, sessionId?: string): VerifiedMediaTicket => ({
  callId: 'call-rules-1',
  userId: 'alice',
  role: 'participant',
  ticketId,
  expiresAt,
  ...(sessionId === undefined ? {} : { sessionId }),
});

describe('TicketRules', () => {
  it('spends a ticket once and forgets it when it expires', () => {
    let now = 1_000;
    const rules = new TicketRules({ now: () => now });
    rules.spend(ticket('t1', 2_000));
    expect(() => {
      rules.spend(ticket('t1', 2_000));
    }).toThrow(/used already/);
    rules.spend(ticket('t2', 3_000));
    now = 2_500;
    rules.spend(ticket('t3', 4_000));
    // t1 expired (its signature check refuses it from now on): no longer kept.
    expect(rules.size()).toBe(2);
  });

  it('binds a ticket to its session when sessions are known', () => {
    const live = new Set(['s1']);
    const rules = new TicketRules({ sessionLive: (sessionId) => live.has(sessionId) });
    expect(() => {
      rules.spend(ticket('t1', Date.now() + 60_000));
    }).toThrow(/session/);
    expect(() => {
      rules.spend(ticket('t2', Date.now() + 60_000, 's2'));
    }).toThrow(/session/);
    rules.spend(ticket('t3', Date.now() + 60_000, 's1'));
    expect(rules.size()).toBe(1);
  });
});
