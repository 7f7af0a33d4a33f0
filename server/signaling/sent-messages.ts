import type { UserId } from '../../protocol/index.js';

/**
 * Peer messages sent recently and to whom, so that only the real recipient can acknowledge one.
 * Bounded: past the cap the oldest entries go first.
 */
export class SentMessages {
  private readonly recipients = new Map<string, UserId>();

  constructor(private readonly cap = 100_000) {}

  remember(from: UserId, messageId: string, to: UserId): void {
    const key = `${from}\n${messageId}`;
    this.recipients.delete(key);
    this.recipients.set(key, to);
    if (this.recipients.size > this.cap) {
      const oldest = this.recipients.keys().next();
      if (!oldest.done) this.recipients.delete(oldest.value);
    }
  }

  recipientOf(from: UserId, messageId: string): UserId | undefined {
    return this.recipients.get(`${from}\n${messageId}`);
  }
}
