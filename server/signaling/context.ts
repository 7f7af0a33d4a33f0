import type { MediaTicketIssuer } from '../sfu-node/media-tickets.js';
import type { SessionEvents } from './session-events.js';
import type { ServerConfig } from '../config.js';
import type { CallEngine } from '../calls/call-engine.js';
import type { ContactCenter } from '../contact-center/index.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { PresenceService } from '../presence/presence-service.js';
import type { TokenService } from '../tokens.js';
import type { AccountGuard } from './account-guard.js';
import type { Stores } from '../store/types.js';
import type { SentMessages } from './sent-messages.js';
import type { MessageRouter, Session, SessionRegistry } from './sessions.js';

/** Everything request handlers may use; built once per server. */
export interface Services {
  config: ServerConfig;
  logger: Logger;
  metrics: Metrics;
  stores: Stores;
  tokens: TokenService;
  sessions: SessionRegistry;
  /** Sign-ins and sign-outs, for the services that follow them. */
  sessionEvents: SessionEvents;
  router: MessageRouter;
  presence: PresenceService;
  calls: CallEngine;
  contactCenter: ContactCenter;
  /** Ends what a disabled account still has (calls, media, sessions). */
  accounts: AccountGuard;
  sentMessages: SentMessages;
  /** ws(s):// URL of the in-process SFU endpoint (embedded mode). */
  sfuUrl: string;
  /** Signs media tickets for the SFU a call's media is on, and names its URL. */
  mediaTickets: MediaTicketIssuer;
}

/** What one request of a signed-in session is handled with. */
export interface RequestContext {
  session: Session;
  services: Services;
}
