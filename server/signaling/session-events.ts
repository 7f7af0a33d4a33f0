import { EventEmitter } from 'node:events';
import type { Session } from './sessions.js';

/**
 * A device's session began or ended. The connection says so once; presence, the calls and the
 * contact center each subscribe (app.ts wires them, in that order), so the connection knows
 * none of them.
 */
export interface SessionEventMap {
  /** `firstDevice`: the user was offline until now. */
  'signed-in': [session: Session, firstDevice: boolean];
  /** `lastDevice`: the user has no session left. */
  'signed-out': [session: Session, lastDevice: boolean];
}

export class SessionEvents extends EventEmitter<SessionEventMap> {}
