import { contactCenterHandlers } from '../../contact-center/handlers.js';
import { accountHandlers } from './account-handlers.js';
import { callHandlers } from './call-handlers.js';
import { directoryHandlers } from './directory-handlers.js';
import { messageHandlers } from './message-handlers.js';
import { presenceHandlers } from './presence-handlers.js';
import { sessionHandlers } from './session-handlers.js';
import type { HandlerTable, SessionRequestType } from './types.js';

/** Every request of a signed-in session, dispatched by type. A missing one does not compile. */
export const handlers: HandlerTable<SessionRequestType> = {
  ...accountHandlers,
  ...sessionHandlers,
  ...presenceHandlers,
  ...callHandlers,
  ...contactCenterHandlers,
  ...messageHandlers,
  ...directoryHandlers,
};
