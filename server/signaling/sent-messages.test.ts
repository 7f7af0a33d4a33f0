import { describe, expect, it } from 'vitest';
import { SentMessages } from './sent-messages.js';

describe('SentMessages', () => {
  it('knows the recipient of each message per sender, and forgets the oldest past its cap', () => {
    const sent = new SentMessages(2);
    sent.remember('alice', 'm1', 'bob');
    sent.remember('carol', 'm1', 'dave');
    expect(sent.recipientOf('alice', 'm1')).toBe('bob');
    expect(sent.recipientOf('carol', 'm1')).toBe('dave');
    expect(sent.recipientOf('bob', 'm1')).toBeUndefined();
    sent.remember('alice', 'm2', 'erin');
    expect(sent.recipientOf('alice', 'm1')).toBeUndefined();
    expect(sent.recipientOf('carol', 'm1')).toBe('dave');
    expect(sent.recipientOf('alice', 'm2')).toBe('erin');
  });

  it('a resend of a message id names its new recipient without taking another slot', () => {
    const sent = new SentMessages(2);
    sent.remember('alice', 'm1', 'bob');
    sent.remember('alice', 'm2', 'bob');
    sent.remember('alice', 'm2', 'carol');
    expect(sent.recipientOf('alice', 'm1')).toBe('bob');
    expect(sent.recipientOf('alice', 'm2')).toBe('carol');
  });
});
