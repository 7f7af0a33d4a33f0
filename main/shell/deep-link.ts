import { type MediaKind, userIdSchema } from '../../protocol/index.js';

/**
 * Click-to-call links, parsed into what the dialer needs. Everything here is untrusted: a web page
 * can open any `trayphone:`, `tel:` or `sip:` URL with any content, so a link only ever PRE-FILLS
 * the dialer (the user still presses Call), and anything not clearly a user id or a phone number
 * is refused.
 *
 *   trayphone://call/<user>[?media=video]     a Trayphone user
 *   tel:<number>                              an extension: separators removed, it must be a
 *                                             user id (the dialer dials user ids only; Trayphone
 *                                             has no PSTN gateway, so +1 555… is refused rather
 *                                             than pre-filling a dialer that rejects it)
 *   sip:<user>@<host>[;params][?headers]      the user part, if it is a valid user id
 *   callto:<user or extension>, callto://…    as sip: / tel:
 *
 * Every target is checked by protocol's `userIdSchema`, the schema the dialer itself applies.
 */
export interface DialRequest {
  target: string;
  media: MediaKind;
}

/**
 * The schemes that belong to whatever the user chose as their phone app: claimed only when
 * click-to-call is turned on (shell/protocol-claims.ts). `trayphone:` is ours and declared by the
 * installer.
 */
export const CLICK_TO_CALL_SCHEMES = ['tel', 'sip', 'sips', 'callto'] as const;
export type ClickToCallScheme = (typeof CLICK_TO_CALL_SCHEMES)[number];

export const DEEP_LINK_SCHEMES = ['trayphone', ...CLICK_TO_CALL_SCHEMES] as const;
/** An argument that starts like one of our links (the parse decides whether it is one). */
const LINK_ARGUMENT = new RegExp(`^(${DEEP_LINK_SCHEMES.join('|')}):`, 'i');
const MAX_LINK_LENGTH = 512;

/** Percent-decoding that refuses malformed escapes and control characters. */
function decode(part: string): string | undefined {
  try {
    const value = decodeURIComponent(part);
    // eslint-disable-next-line no-control-regex
    return /[\u0000-\u001f\u007f]/.test(value) ? undefined : value;
  } catch {
    return undefined;
  }
}

const mediaOf = (query: string): MediaKind | undefined => {
  const media = new URLSearchParams(query).get('media');
  if (media === null || media === 'audio') return 'audio';
  return media === 'video' ? 'video' : undefined;
};

function userTarget(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const parsed = userIdSchema.safeParse(raw.toLowerCase());
  return parsed.success ? parsed.data : undefined;
}

function parseTel(rest: string): DialRequest | undefined {
  const [numberPart = ''] = rest.split(';'); // tel: parameters (;phone-context=...) are ignored
  const value = decode(numberPart);
  if (value === undefined) return undefined;
  const number = value.replace(/[\s().-]/g, '');
  if (!/^[0-9]{1,32}$/.test(number)) return undefined;
  const target = userTarget(number);
  return target ? { target, media: 'audio' } : undefined;
}

function parseCallto(rest: string): DialRequest | undefined {
  // `callto:bob`, `callto://bob`, `callto:1234` (Skype-era links): a user id or an extension.
  const body = rest.replace(/^\/\//, '').replace(/\/$/, '');
  return /^[\s0-9().-]+$/.test(decode(body) ?? 'x') ? parseTel(body) : parseSip(body);
}

function parseSip(rest: string): DialRequest | undefined {
  const [address = ''] = rest.split(/[;?]/);
  const at = address.indexOf('@');
  const user = decode(at === -1 ? address : address.slice(0, at));
  const target = userTarget(user);
  return target ? { target, media: 'audio' } : undefined;
}

function parseTrayphone(rest: string): DialRequest | undefined {
  // `trayphone://call/bob`: rest is `//call/bob`; `trayphone:call/bob` is accepted too.
  const [pathPart = '', query = ''] = rest.replace(/^\/\//, '').split('?', 2);
  const segments = pathPart.split('/').filter((s) => s !== '');
  if (segments.length !== 2 || segments[0]?.toLowerCase() !== 'call') return undefined;
  const target = userTarget(decode(segments[1] ?? ''));
  const media = mediaOf(query);
  return target && media ? { target, media } : undefined;
}

/** The dial request of a click-to-call link, or undefined for anything else. */
export function parseDeepLink(link: unknown): DialRequest | undefined {
  if (typeof link !== 'string' || link.length === 0 || link.length > MAX_LINK_LENGTH) {
    return undefined;
  }
  const match = /^([a-z][a-z0-9+.-]*):(.*)$/is.exec(link.trim());
  if (!match) return undefined;
  const scheme = (match[1] ?? '').toLowerCase();
  const rest = (match[2] ?? '').split('#', 1)[0] ?? '';
  switch (scheme) {
    case 'trayphone':
      return parseTrayphone(rest);
    case 'tel':
      return parseTel(rest);
    case 'sip':
    case 'sips':
      return parseSip(rest);
    case 'callto':
      return parseCallto(rest);
    default:
      return undefined;
  }
}

/**
 * The link among a process's arguments (Windows and Linux pass it on the command line, to the
 * first instance or to `second-instance`). Only whole arguments that start with a known scheme
 * count, so a flag or a file path never becomes a call.
 */
export function deepLinkFromArgv(argv: readonly string[]): DialRequest | undefined {
  for (const arg of argv) {
    if (!LINK_ARGUMENT.test(arg)) continue;
    const request = parseDeepLink(arg);
    if (request) return request;
  }
  return undefined;
}
