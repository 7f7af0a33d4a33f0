import { describe, expect, it } from 'vitest';
import { SOFTPHONE_COMMANDS } from '../protocol/index.js';
import { type IpcPort, createShellBridge, createSoftphoneBridge } from './bridge.js';

function fakeIpc(answer: (channel: string, payload: unknown) => unknown) {
  const invoked: [string, unknown][] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const ipc: IpcPort = {
    invoke: (channel, payload) => {
      invoked.push([channel, payload]);
      return Promise.resolve(answer(channel, payload));
    },
    on: (channel, listener) => {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  const send = (channel: string, payload: unknown) => {
    for (const l of listeners.get(channel) ?? []) l(payload);
  };
  return { ipc, invoked, send };
}

describe('preload bridge', () => {
  it('exposes every softphone command as a function on its own channel', async () => {
    const { ipc, invoked } = fakeIpc(() => ({ ok: true, data: null }));
    const api = createSoftphoneBridge(ipc) as unknown as Record<string, unknown>;
    expect(api.shell).toBe('electron');
    for (const command of SOFTPHONE_COMMANDS) expect(typeof api[command]).toBe('function');
    await createSoftphoneBridge(ipc).accept({ callId: 'abcdefgh', media: 'audio' });
    expect(invoked).toEqual([['softphone:accept', { callId: 'abcdefgh', media: 'audio' }]]);
  });

  it('rejects with a plain SoftphoneError object that keeps the code', async () => {
    const { ipc } = fakeIpc(() => ({
      ok: false,
      error: { code: 'forbidden-sender', message: 'no' },
    }));
    const error: unknown = await createSoftphoneBridge(ipc)
      .signOut({})
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'SoftphoneError',
      code: 'forbidden-sender',
      message: 'no',
    });
    expect(String(error)).toBe('SoftphoneError: no');
    const garbled = fakeIpc(() => 'garbage');
    await expect(createSoftphoneBridge(garbled.ipc).signOut({})).rejects.toMatchObject({
      code: 'internal',
    });
  });

  it('events: only known names, unsubscribe works', () => {
    const { ipc, send } = fakeIpc(() => null);
    const api = createSoftphoneBridge(ipc);
    const got: unknown[] = [];
    const off = api.on('error', (e) => got.push(e));
    send('softphone-event:error', { code: 'x', message: 'y' });
    off();
    send('softphone-event:error', { code: 'x', message: 'z' });
    expect(got).toEqual([{ code: 'x', message: 'y' }]);
    expect(() => api.on('nope' as never, () => undefined)).toThrow();
  });

  it('shell bridge: commands and validated events', async () => {
    const { ipc, invoked, send } = fakeIpc(() => ({ ok: true, data: null }));
    const shell = createShellBridge(ipc);
    await shell.quit();
    await shell.openLogs();
    expect(invoked).toEqual([
      ['app:quit', {}],
      ['app:open-logs', {}],
    ]);
    const views: string[] = [];
    let mutes = 0;
    shell.onOpenView((v) => views.push(v));
    shell.onMuteToggle(() => (mutes += 1));
    send('shell:open-view', { view: 'history' });
    send('shell:open-view', { view: 'javascript:alert(1)' });
    send('shell:mute-toggle', {});
    expect(views).toEqual(['history']);
    expect(mutes).toBe(1);
  });

  it('shell bridge: screen-share picks pushed and validated, the choice sent back', async () => {
    const { ipc, invoked, send } = fakeIpc(() => ({ ok: true, data: null }));
    const shell = createShellBridge(ipc);
    const seen: unknown[] = [];
    shell.onPickSource((r) => seen.push(r));
    const good = {
      requestId: 'pick-1',
      sources: [
        {
          id: 'screen:0:0',
          name: 'Screen',
          kind: 'screen',
          thumbnail: 'data:image/png;base64,AA==',
        },
      ],
    };
    send('shell:pick-source', good);
    // A thumbnail that is not a PNG data URL (a remote image) is dropped whole.
    send('shell:pick-source', {
      ...good,
      sources: [{ ...good.sources[0], thumbnail: 'https://evil.example/x.png' }],
    });
    expect(seen).toEqual([good]);
    await shell.chooseSource('pick-1', 'screen:0:0');
    await shell.chooseSource('pick-1', null);
    expect(invoked).toEqual([
      ['screen-share:choose', { requestId: 'pick-1', sourceId: 'screen:0:0' }],
      ['screen-share:choose', { requestId: 'pick-1', sourceId: null }],
    ]);
  });

  it('shell bridge: hotkey status, answered and pushed, validated', async () => {
    const entry = { accelerator: 'Alt+F1', state: 'failed' };
    const status = { answer: entry, decline: entry, hangup: entry, mute: entry, wayland: true };
    const { ipc, send } = fakeIpc(() => ({ ok: true, data: status }));
    const shell = createShellBridge(ipc);
    expect(await shell.hotkeyStatus()).toEqual(status);
    const seen: unknown[] = [];
    shell.onHotkeyStatus((s) => seen.push(s));
    send('shell:hotkey-status', status);
    send('shell:hotkey-status', { answer: 'taken' });
    expect(seen).toEqual([status]);
    const bad = createShellBridge(fakeIpc(() => ({ ok: true, data: { answer: 1 } })).ipc);
    await expect(bad.hotkeyStatus()).rejects.toMatchObject({ code: 'internal' });
  });

  it('shell bridge: update status, answered and pushed, validated', async () => {
    const status = { state: 'downloaded', version: '1.4.0', checkedAt: 5 };
    const { ipc, send, invoked } = fakeIpc(() => ({ ok: true, data: status }));
    const shell = createShellBridge(ipc);
    expect(await shell.updateStatus()).toEqual(status);
    expect(invoked).toEqual([['update:status', {}]]);
    const seen: unknown[] = [];
    shell.onUpdateStatus((s) => seen.push(s));
    send('shell:update-status', { state: 'disabled', reason: 'per-machine' });
    send('shell:update-status', { state: 'rebooting' });
    expect(seen).toEqual([{ state: 'disabled', reason: 'per-machine' }]);
    const bad = createShellBridge(fakeIpc(() => ({ ok: true, data: { state: 1 } })).ipc);
    await expect(bad.updateStatus()).rejects.toMatchObject({ code: 'internal' });
  });
});
