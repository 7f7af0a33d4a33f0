/**
 * The en-US texts of the ADML (admx-template.ts): a label per policy schema key and element, the
 * explanations, the fixed strings. Every other language must have the same keys (AdmlTexts).
 */
/** English names for the ADML; a schema key missing here fails generation. */
export const LABELS = {
  serverUrl: 'Server URL',
  allowInsecureServer: 'Allow plain http/ws to a server that is not this machine (labs only)',
  clickToCall: 'Click-to-call (tel:, sip:, callto: links)',
  autoUpdate: 'Automatic updates',
  'autoUpdate.enabled': 'Automatic updates',
  'autoUpdate.feedUrl': 'Update feed URL (https)',
  crmScreenPop: 'CRM screen pop',
  crashReportUploadUrl: 'Crash report upload server (https)',
  'crmScreenPop.template': 'URL template (https; {caller}, {queue}, {callId})',
  'crmScreenPop.when': 'Open it',
  locked: 'Locked settings (the user keeps the current value)',
  language: 'Language',
  ringtone: 'Ringtone (classic, chime, pulse)',
  ringingDevice: 'Ringing device id',
  speakerDevice: 'Speaker device id',
  microphoneDevice: 'Microphone device id',
  cameraDevice: 'Camera device id',
  callWaiting: 'Call waiting',
  startHidden: 'Start hidden in the tray',
  launchAtLogin: 'Launch at login',
  hotkeys: 'Global hotkeys',
  'hotkeys.answer': 'Answer',
  'hotkeys.decline': 'Decline',
  'hotkeys.hangup': 'Hang up',
  'hotkeys.mute': 'Mute',
  favourites: 'Favourites (user ids, one per line)',
  followOsDoNotDisturb: "Follow the desktop's do-not-disturb",
  'crmScreenPop.when.ringing': 'When a call rings',
  'crmScreenPop.when.answered': 'When the call is answered',
  'language.en': 'English',
  'language.zh-CN': 'Simplified Chinese',
} as const satisfies Record<string, string>;

export const DESCRIPTIONS = {
  serverUrl:
    'The signaling server every user connects to (https; plain http only to loopback unless insecure servers are allowed). Fixed and locked.',
  allowInsecureServer:
    'Enabled: plain http/ws is accepted for any server. For test labs only: passwords and tokens then travel in clear.',
  clickToCall:
    'Enabled: Trayphone handles tel:, sip: and callto: links. Disabled: it never does. Not configured: the user chooses.',
  autoUpdate:
    'Enabled: Trayphone updates itself from the feed (a folder with latest.yml, served over https), also when installed for all users. Disabled: it never updates itself. Not configured: per-user installs update from the feed if one is set; per-machine installs (MSI, all users) do not. An update installs only while no call is live.',
  crashReportUploadUrl:
    'Crash reports (minidumps) are always kept on the machine, next to the logs. Enabled with an https URL: they are also uploaded there (Crashpad, at most one an hour). Not configured: nothing is uploaded. Dumps hold memory contents, so point this only at a server you run.',
  crmScreenPop:
    'Opens the URL in the browser for incoming calls, with {caller}, {queue} and {callId} filled in (percent-encoded). https only; an empty template turns screen pops off. Fixed and locked.',
  locked:
    'Setting names (for example callWaiting, ringtone) whose current value the user cannot change.',
  Enforced: 'Fixed for every user and locked in the settings screen.',
  Defaults: 'The initial value; the user may change it.',
} as const satisfies Record<string, string>;

/** The texts of one ADML language: every label and description, and the fixed strings. */
export interface AdmlTexts {
  labels: Record<keyof typeof LABELS, string>;
  descriptions: Record<keyof typeof DESCRIPTIONS, string>;
  fixed: { Trayphone: string; Enforced: string; Defaults: string; SUPPORTED_Trayphone: string };
  description: string;
}

export const EN_US: AdmlTexts = {
  labels: LABELS,
  descriptions: DESCRIPTIONS,
  fixed: {
    Trayphone: 'Trayphone',
    Enforced: 'Enforced settings (fixed and locked)',
    Defaults: 'Default settings (the user may change them)',
    SUPPORTED_Trayphone: 'Trayphone 0.1 and later',
  },
  description: 'Trayphone desktop softphone policies (HKLM\\SOFTWARE\\Policies\\Trayphone)',
};
