/**
 * Strings of the main window's shell, contacts, dialer, ringing window and settings added for
 * issue 14, merged into the language trees as `shell` and `presence` (en.ts, zh-CN.ts).
 */
export const shellEn = {
  menu: 'Menu',
  callBar: 'Call controls',
  more: 'More actions for {{name}}',
  reconnectNow: 'Reconnect now',
  nextAttemptIn: 'Next try in {{seconds}} s.',
  staleList: 'Not connected: this is the last list seen, it may be out of date.',
  incomingShortcut: 'Alt+Shift+A goes to the incoming call',
  accept: 'Accept',
  acceptAsAudio: 'Accept as audio',
  asAudio: 'Audio only',
  missedFrom: 'Missed call from {{name}}',
  declinedBy: '{{name}} declined',
  callBack: 'Call back',
  outcomeOf: '{{name}}: {{outcome}}',
  suggestions: 'Suggestions',
  recent: 'Recent calls',
  needTarget: 'Type at least one user ID.',
  unknownTarget: 'Not found in the directory: {{value}}',
  hotkeyCapture: 'Click, then press the key combination',
  hotkeyPress: 'Press keys… (Esc cancels)',
  hotkeyNone: 'Not set',
  hotkeyClear: 'Clear {{name}}',
  hotkeyNeedsModifier: 'Use at least one of Ctrl, Alt, Shift or Super with a key.',
};

export type ShellStrings = typeof shellEn;

export const shellZhCN: ShellStrings = {
  menu: '菜单',
  callBar: '通话控制',
  more: '{{name}} 的更多操作',
  reconnectNow: '立即重新连接',
  nextAttemptIn: '{{seconds}} 秒后重试。',
  staleList: '未连接：这是上次看到的列表，可能已过时。',
  incomingShortcut: '按 Alt+Shift+A 转到来电',
  accept: '接听',
  acceptAsAudio: '仅语音接听',
  asAudio: '仅语音',
  missedFrom: '{{name}} 的未接来电',
  declinedBy: '{{name}} 拒绝了通话',
  callBack: '回拨',
  outcomeOf: '{{name}}：{{outcome}}',
  suggestions: '建议',
  recent: '最近通话',
  needTarget: '请至少输入一个用户 ID。',
  unknownTarget: '目录中找不到：{{value}}',
  hotkeyCapture: '点击后按下组合键',
  hotkeyPress: '请按键…（Esc 取消）',
  hotkeyNone: '未设置',
  hotkeyClear: '清除{{name}}',
  hotkeyNeedsModifier: '请在按键之外至少使用 Ctrl、Alt、Shift 或 Super 之一。',
};

/** A contact's presence as others see it (the user's own choice is `status`). */
export const presenceEn = {
  available: 'Available',
  away: 'Away',
  busy: 'Busy',
  dnd: 'Do not disturb',
  inCall: 'In a call',
  offline: 'Offline',
};

export const presenceZhCN: typeof presenceEn = {
  // The same word as the user's own status (有空); 在线 is the connection, 空闲 a seat's state.
  available: '有空',
  away: '离开',
  busy: '忙碌',
  dnd: '请勿打扰',
  inCall: '通话中',
  offline: '离线',
};
