import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, SoftphoneError } from '../../protocol/index.js';
import { memoryLog } from '../log/log.js';
import { APP_ORIGIN, type SenderFrame, isTrustedSender } from '../security/origins.js';
import { FakeSoftphone } from '../testing/fakes.js';
import { IpcRouter } from './ipc-router.js';

const OWN: SenderFrame = { url: `${APP_ORIGIN}/index.html#/ringing/abc`, isMainFrame: true };

function setup() {
  const softphone = new FakeSoftphone();
  const shell: string[] = [];
  const log = memoryLog();
  const router = new IpcRouter({
    softphone: softphone.asHost(),
    shell: {
      'window:show': () => (shell.push('show'), Promise.resolve(null)),
      'window:hide': () => (shell.push('hide'), Promise.resolve(null)),
      'app:quit': () => (shell.push('quit'), Promise.resolve(null)),
      'hotkeys:status': () => {
        const entry = { accelerator: '', state: 'unset' as const };
        return Promise.resolve({
          answer: entry,
          decline: entry,
          hangup: entry,
          mute: entry,
          wayland: false,
        });
      },
      'update:status': () => Promise.resolve({ state: 'disabled', reason: 'no-feed' }),
      'app:open-logs': () => (shell.push('open-logs'), Promise.resolve(null)),
      'screen-share:choose': (args) => (
        shell.push(`choose:${String(args.sourceId)}`),
        Promise.resolve(null)
      ),
    },
    isTrustedSender: (frame) => isTrustedSender(frame, { app: APP_ORIGIN }),
    log,
  });
  return { softphone, shell, router, log };
}

describe('IpcRouter', () => {
  it('registers exactly the contract channels', () => {
    expect(setup().router.channels().sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  it('runs a valid command from our renderer and answers ok', async () => {
    const { router, softphone } = setup();
    const answer = await router.handle('softphone:accept', OWN, {
      callId: 'abcdefgh',
      media: 'video',
    });
    expect(answer).toEqual({ ok: true, data: null });
    expect(softphone.commands).toEqual([
      { command: 'accept', args: { callId: 'abcdefgh', media: 'video' } },
    ]);
    expect(
      await router.handle('softphone:call', OWN, { callees: ['alice'], media: 'audio' }),
    ).toEqual({
      ok: true,
      data: { callId: 'new-call-1' },
    });
  });

  it('runs shell commands', async () => {
    const { router, shell } = setup();
    expect(await router.handle('window:hide', OWN, {})).toEqual({ ok: true, data: null });
    expect(shell).toEqual(['hide']);
  });

  it.each([
    ['softphone:accept', undefined],
    ['softphone:accept', null],
    ['softphone:accept', 'abcdefgh'],
    ['softphone:accept', { callId: 'abcdefgh' }],
    ['softphone:accept', { callId: 'abcdefgh', media: 'screen' }],
    ['softphone:accept', { callId: '../../x', media: 'audio' }],
    ['softphone:call', { callees: [], media: 'audio' }],
    ['softphone:call', { callees: ['Robert; DROP'], media: 'audio' }],
    ['softphone:call', { callees: Array.from({ length: 33 }, (_, i) => `u${i}`), media: 'audio' }],
    ['softphone:getSnapshot', { extra: true }],
    ['softphone:updateSettings', { language: 'fr' }],
    ['softphone:updateSettings', { serverUrl: 'x'.repeat(3000) }],
    ['softphone:control', { callId: 'abcdefgh', action: 'explode' }],
    ['window:show', { force: true }],
    ['app:quit', []],
  ])(
    '%s with a malformed payload is rejected as invalid-argument and runs nothing',
    async (channel, payload) => {
      const { router, softphone, shell } = setup();
      const answer = await router.handle(channel, OWN, payload);
      expect(answer.ok).toBe(false);
      expect(!answer.ok && answer.error.code).toBe('invalid-argument');
      expect(softphone.commands).toEqual([]);
      expect(shell).toEqual([]);
    },
  );

  it.each([
    ['a web page', { url: 'https://evil.example/index.html', isMainFrame: true }],
    ['an iframe of our own page', { ...OWN, isMainFrame: false }],
    ['a file URL', { url: 'file:///opt/trayphone/renderer/index.html', isMainFrame: true }],
    ['another app:// host', { url: 'app://other/index.html', isMainFrame: true }],
    ['app:// with credentials', { url: 'app://x@trayphone/index.html', isMainFrame: true }],
    ['a destroyed frame', null],
    ['a dev-server URL outside dev', { url: 'http://localhost:5173/', isMainFrame: true }],
  ])('a call from %s is rejected as forbidden-sender and runs nothing', async (_why, frame) => {
    const { router, softphone, shell, log } = setup();
    for (const [channel, payload] of [
      ['softphone:decline', { callId: 'abcdefgh' }],
      ['app:quit', {}],
    ] as const) {
      const answer = await router.handle(channel, frame, payload);
      expect(answer).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    }
    expect(softphone.commands).toEqual([]);
    expect(shell).toEqual([]);
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(2);
  });

  it('an unknown channel is rejected', async () => {
    const { router } = setup();
    expect(await router.handle('softphone:rm -rf', OWN, {})).toMatchObject({
      ok: false,
      error: { code: 'unknown-channel' },
    });
  });

  it("keeps a command's SoftphoneError code; other failures become internal", async () => {
    const { router, softphone } = setup();
    const host = softphone.asHost() as unknown as Record<string, unknown>;
    host.hangup = () => Promise.reject(new SoftphoneError('not-signed-in', 'sign in first'));
    host.cancel = () => Promise.reject(new Error('boom'));
    expect(await router.handle('softphone:hangup', OWN, { callId: 'abcdefgh' })).toEqual({
      ok: false,
      error: { code: 'not-signed-in', message: 'sign in first' },
    });
    expect(await router.handle('softphone:cancel', OWN, { callId: 'abcdefgh' })).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
  });
});
