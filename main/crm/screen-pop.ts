import type {
  CrmScreenPop,
  ScreenPopMoment,
  SoftphoneCall,
  SoftphoneSnapshot,
} from '../../protocol/index.js';
import { type Log, forCall } from '../log/log.js';

/**
 * CRM screen pop: a URL template such as
 * `https://crm.example.com/lookup?caller={caller}&queue={queue}&call={callId}` opened in the
 * browser (`shell.openExternal`) when a call comes in or when it is answered. The values come
 * from the server's call record, but the caller id is chosen by whoever calls: each value is
 * percent-encoded whole (`encodeURIComponent`), so it can fill a query value or a path segment
 * and never add a parameter, a path or a scheme. Only https templates are used (an http or a
 * custom-scheme template could leak caller ids in clear or launch other programs), and the
 * result is checked again after substitution.
 */

/** The `crmScreenPop` setting: the template ('' for none) and the moment (ringing | answered). */
export type ScreenPopSettings = CrmScreenPop;

const PLACEHOLDERS = /\{(caller|queue|callId)\}/g;

/** Whether a template may be used: an https URL once its placeholders are filled. */
export function isValidScreenPopTemplate(template: string): boolean {
  return screenPopUrl(template, { caller: 'x', queue: 'x', callId: 'x' }) !== undefined;
}

/** The URL to open, or undefined when the template is empty or not https. */
export function screenPopUrl(
  template: string,
  values: { caller: string; queue: string; callId: string },
): string | undefined {
  if (template.trim() === '' || template.length > 2048) return undefined;
  const filled = template.replace(PLACEHOLDERS, (_match, name: keyof typeof values) =>
    encodeURIComponent(values[name]),
  );
  let url: URL;
  try {
    url = new URL(filled);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return undefined;
  return url.toString();
}

/** Opens the screen pop once per call, at the chosen moment, for incoming calls only. */
export class ScreenPop {
  private readonly popped = new Set<string>();

  constructor(
    private readonly settings: () => ScreenPopSettings,
    private readonly openExternal: (url: string) => void,
    private readonly log: Log,
  ) {}

  update(snapshot: SoftphoneSnapshot): void {
    const { template, when } = this.settings();
    for (const call of snapshot.calls) {
      if (call.direction !== 'incoming' || this.popped.has(call.callId)) continue;
      if (!this.due(call, when)) continue;
      this.popped.add(call.callId);
      const url = screenPopUrl(template, {
        caller: call.info?.callerId ?? '',
        queue: call.info?.queue?.queue ?? '',
        callId: call.callId,
      });
      const log = forCall(this.log, call.callId);
      if (url === undefined) {
        if (template.trim() !== '') log.warn({}, 'screen pop skipped: the template is not https');
        continue;
      }
      log.info({ when }, 'screen pop opened');
      this.openExternal(url);
    }
    // Forget calls no longer listed, so the set stays small.
    const listed = new Set(snapshot.calls.map((c) => c.callId));
    for (const id of this.popped) if (!listed.has(id)) this.popped.delete(id);
  }

  private due(call: SoftphoneCall, when: ScreenPopMoment): boolean {
    return when === 'ringing'
      ? call.state === 'ringing'
      : call.state === 'answering' || call.state === 'active';
  }
}
