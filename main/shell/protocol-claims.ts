import { z } from 'zod';
import type { Log } from '../log/log.js';
import { CLICK_TO_CALL_SCHEMES, type ClickToCallScheme } from './deep-link.js';

/**
 * Making Trayphone the OS handler of tel:, sip:, sips:, callto:. Those schemes belong to whatever
 * phone app the user picked, so they are claimed only when click-to-call is on (the user's
 * setting, or the IT policy's `clickToCall`), only by a packaged app (a dev binary would register
 * `electron.exe path/to/repo` as the user's phone app), and only ONCE per opt-in: the schemes
 * claimed are remembered, and one the OS later hands to another app (the user chose it in the OS
 * settings, or another app took it) is left there, not taken back at the next start. Turning
 * click-to-call off gives back the schemes still ours and forgets them; turning it on again is
 * a new opt-in and claims again.
 */

/** `app.isDefaultProtocolClient` / `setAsDefaultProtocolClient` / `removeAsDefaultProtocolClient`. */
export interface ProtocolClientPort {
  isDefault(scheme: ClickToCallScheme): boolean;
  claim(scheme: ClickToCallScheme): boolean;
  release(scheme: ClickToCallScheme): boolean;
}

/** Where the claimed schemes are remembered across starts (a small file in userData). */
export interface ClaimRecordPort {
  read(): unknown;
  write(schemes: readonly ClickToCallScheme[]): void;
}

export const claimRecordSchema = z.array(z.enum(CLICK_TO_CALL_SCHEMES)).max(16);

export interface ProtocolClaimsDeps {
  client: ProtocolClientPort;
  record: ClaimRecordPort;
  /** `app.isPackaged`: an unpackaged binary never touches the OS's handlers. */
  packaged: boolean;
  log: Log;
}

export class ProtocolClaims {
  private refusedUnpackaged = false;

  constructor(private readonly deps: ProtocolClaimsDeps) {}

  /** Brings the OS handlers in line with `enabled` (at start and when the setting changes). */
  apply(enabled: boolean): void {
    const { client, log, packaged } = this.deps;
    if (!packaged) {
      if (enabled && !this.refusedUnpackaged) {
        log.info({}, 'click-to-call: not registered from an unpackaged build');
      }
      this.refusedUnpackaged = true;
      return;
    }
    const claimed = this.readRecord();
    if (!enabled) {
      if (claimed.length === 0) return;
      for (const scheme of claimed) {
        if (client.isDefault(scheme) && !client.release(scheme)) {
          log.warn({ scheme }, 'click-to-call: could not give the scheme back');
        }
      }
      this.deps.record.write([]);
      log.info({ schemes: claimed }, 'click-to-call turned off: schemes given back');
      return;
    }
    const next = [...claimed];
    for (const scheme of CLICK_TO_CALL_SCHEMES) {
      if (claimed.includes(scheme)) {
        // Claimed at the opt-in; if another app has it now, that was the user's (or IT's) choice.
        if (!client.isDefault(scheme)) {
          log.info({ scheme }, 'click-to-call: another app handles this scheme now; left to it');
        }
        continue;
      }
      if (client.isDefault(scheme) || client.claim(scheme)) next.push(scheme);
      else log.warn({ scheme }, 'click-to-call: could not register as the handler');
    }
    if (next.length !== claimed.length) {
      this.deps.record.write(next);
      log.info({ schemes: next }, 'click-to-call: registered as the handler');
    }
  }

  private readRecord(): ClickToCallScheme[] {
    let raw: unknown;
    try {
      raw = this.deps.record.read();
    } catch (error) {
      this.deps.log.warn({ err: error }, 'click-to-call: the claim record is unreadable');
      return [];
    }
    if (raw === undefined || raw === null) return [];
    const parsed = claimRecordSchema.safeParse(raw);
    if (!parsed.success) {
      this.deps.log.warn({}, 'click-to-call: the claim record is malformed; ignored');
      return [];
    }
    return [...new Set(parsed.data)];
  }
}
