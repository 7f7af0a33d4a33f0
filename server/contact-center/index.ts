/**
 * The contact center as the rest of the server sees it. Signaling imports only this module and
 * `handlers.ts` (the contact center's signaling requests; lint holds it), so the queue directory,
 * the distribution and the agents' bookkeeping can change shape without touching connection code.
 * The handlers are not re-exported here: they import signaling's handler types, and signaling's
 * context imports this module.
 */
export { ContactCenter, type ContactCenterOptions } from './contact-center.js';
