import { ProtocolError, encodeEvent } from '../../../protocol/index.js';
import type { HandlerTable } from './types.js';

/** Custom peer messages: relayed to every device of the recipient, acknowledged per device. */
export const messageHandlers: HandlerTable<'message.send' | 'message.ack'> = {
  'message.send': async ({ session, services }, { messageId, to, body }) => {
    const account = await services.stores.users.get(to);
    if (!account || account.disabled) throw new ProtocolError('not-found', `no such user: ${to}`);
    if (await services.stores.users.isBlocked(session.userId, to)) {
      // Dropped, answered as if the recipient were offline: the sender is not told of the block
      // (as a blocked caller is not), and the blocker's presence reads offline to them too.
      services.logger.debug(
        { userId: session.userId, to, messageId },
        'message from a blocked user dropped',
      );
      return { deliveredTo: 0 };
    }
    const frame = encodeEvent('message.received', {
      messageId,
      from: session.userId,
      fromDevice: session.device.id,
      body,
    });
    services.sentMessages.remember(session.userId, messageId, to);
    return { deliveredTo: services.router.toUser(to, frame) };
  },
  'message.ack': ({ session, services }, { messageId, from }) => {
    if (services.sentMessages.recipientOf(from, messageId) !== session.userId) {
      throw new ProtocolError('not-found', 'no such message to you');
    }
    // The sender's devices all learn of the delivery; they match it by message id.
    const frame = encodeEvent('message.delivered', {
      messageId,
      to: session.userId,
      deviceId: session.device.id,
    });
    services.router.toUser(from, frame);
    return {};
  },
};
