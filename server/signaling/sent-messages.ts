import type { UserId } from '../../protocol/index.js';
import { BoundedMap } from '../util/bounded-map.js';

/**
 * Peer messages sent recently and to whom, so that only the real recipient can acknowledge one.
 * Bounded: past the cap the oldest entries go first.
 */
export class SentMessages {
  /**
   * A resend of the same message id (a client's retry) updates the recipient but keeps the
   * entry's age, where this used to move it to the back of the line. That refresh bought
   * nothing: a retry follows its first send within seconds, while an entry lives until `cap`
   * newer messages were sent (100,000 by default: minutes even at 1,000 messages/s), so the
   * retry's delivery stays acknowledgeable just the same; and moving a key out of the middle
   * of the eviction order is what would cost O(n).
   */
  private readonly recipients: BoundedMap<string, UserId>;

  constructor(cap = 100_000) {
    this.recipients = new BoundedMap(cap);
  }

  remember(from: UserId, messageId: string, to: UserId): void {
    this.recipients.set(`${from}\n${messageId}`, to);
  }

  recipientOf(from: UserId, messageId: string): UserId | undefined {
    return this.recipients.get(`${from}\n${messageId}`);
  }
}
