import { describe, expect, it } from 'vitest';
import { parseCliCommand } from './cli-args.js';

const exe = 'C:\\Program Files\\Trayphone\\Trayphone.exe';

describe('parseCliCommand (second-instance argv)', () => {
  it.each(['answer', 'decline', 'hangup', 'mute'] as const)('--%s', (action) => {
    expect(parseCliCommand([exe, `--${action}`])).toEqual({
      ok: true,
      command: { command: action },
    });
  });

  it('--call <user>, --call=<user>, with --video; user ids are lower-cased', () => {
    expect(parseCliCommand(['/opt/trayphone', '--call', 'Alice'])).toEqual({
      ok: true,
      command: { command: 'call', target: 'alice', media: 'audio' },
    });
    expect(parseCliCommand(['/opt/trayphone', '--video', '--call=bob'])).toEqual({
      ok: true,
      command: { command: 'call', target: 'bob', media: 'video' },
    });
  });

  it("skips what is not ours: the executable, the app path in development, Chromium's switches", () => {
    expect(
      parseCliCommand([
        '/usr/lib/electron/electron',
        '/home/b/trayphone',
        '--allow-file-access-from-files',
        '--original-process-start-time=13371337',
        '--answer',
      ]),
    ).toEqual({ ok: true, command: { command: 'answer' } });
    expect(parseCliCommand([exe])).toEqual({ ok: true, command: undefined });
    expect(parseCliCommand([exe, '--hidden'])).toEqual({ ok: true, command: undefined });
    // A deep link is not a command line action (deep-link.ts takes it).
    expect(parseCliCommand([exe, 'trayphone://call/bob'])).toEqual({
      ok: true,
      command: undefined,
    });
    // After `--` nothing is ours; a bare word is not a flag.
    expect(parseCliCommand([exe, '--', '--answer'])).toEqual({ ok: true, command: undefined });
    expect(parseCliCommand([exe, 'answer'])).toEqual({ ok: true, command: undefined });
  });

  it('refuses what could do the wrong thing: two actions, --call without a valid user, values on flags', () => {
    expect(parseCliCommand([exe, '--answer', '--decline'])).toMatchObject({ ok: false });
    expect(parseCliCommand([exe, '--call'])).toMatchObject({ ok: false });
    expect(parseCliCommand([exe, '--call', '--answer'])).toMatchObject({ ok: false });
    expect(parseCliCommand([exe, '--call', '../../etc'])).toMatchObject({ ok: false });
    expect(parseCliCommand([exe, '--call=', 'bob'])).toMatchObject({ ok: false });
    expect(parseCliCommand([exe, '--answer=now'])).toMatchObject({ ok: false });
    expect(parseCliCommand([exe, '--call', 'bob', '--hangup'])).toMatchObject({ ok: false });
  });
});
