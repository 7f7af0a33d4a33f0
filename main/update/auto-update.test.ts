import { describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../protocol/index.js';
import { memoryLog } from '../log/log.js';
import { FakeTimers, incoming, outgoing, snapshot } from '../testing/fakes.js';
import {
  AutoUpdate,
  CHECK_INTERVAL_MS,
  FIRST_CHECK_DELAY_MS,
  IDLE_INSTALL_SECONDS,
  IDLE_POLL_MS,
  type Updater,
  type UpdaterEvents,
} from './auto-update.js';
import type { UpdateConfig } from './update-config.js';

/** An Updater that records what auto-update asked and lets the test emit electron-updater's events. */
function fakeUpdater() {
  const listeners = new Map<string, ((...args: never[]) => void)[]>();
  const calls = { feeds: [] as string[], checks: 0, installs: [] as { restart: boolean }[] };
  const updater: Updater = {
    setFeed: (url) => calls.feeds.push(url),
    check: () => {
      calls.checks += 1;
      return Promise.resolve();
    },
    on: (event, listener) => {
      listeners.set(event, [...(listeners.get(event) ?? []), listener as never]);
    },
    install: (options) => calls.installs.push(options),
  };
  const emit = <E extends keyof UpdaterEvents>(event: E, ...args: UpdaterEvents[E]) => {
    for (const l of listeners.get(event) ?? []) (l as (...a: UpdaterEvents[E]) => void)(...args);
  };
  return { updater, calls, emit };
}

const ON: UpdateConfig = { enabled: true, feedUrl: 'https://updates.example.com/trayphone/' };

function setup(config: UpdateConfig = ON) {
  const timers = new FakeTimers();
  const { updater, calls, emit } = fakeUpdater();
  const pushed: UpdateStatus[] = [];
  let idle = 0;
  const auto = new AutoUpdate({
    config,
    updater,
    timers,
    log: memoryLog(),
    idleSeconds: () => idle,
    onStatus: (s) => pushed.push(s),
  });
  auto.start();
  return {
    auto,
    timers,
    calls,
    emit,
    pushed,
    setIdle: (s: number) => {
      idle = s;
    },
  };
}

describe('auto-update scheduling and gating', () => {
  it('off: no feed set, no check ever, the reason in the status', () => {
    const { auto, timers, calls } = setup({ enabled: false, reason: 'per-machine' });
    timers.advance(CHECK_INTERVAL_MS * 3);
    expect(calls).toEqual({ feeds: [], checks: 0, installs: [] });
    expect(auto.status()).toEqual({ state: 'disabled', reason: 'per-machine' });
  });

  it('checks a minute after start, then every four hours; not again once downloaded', () => {
    const { auto, timers, calls, emit } = setup();
    expect(calls.feeds).toEqual(['https://updates.example.com/trayphone/']);
    timers.advance(FIRST_CHECK_DELAY_MS - 1);
    expect(calls.checks).toBe(0);
    timers.advance(1);
    expect(calls.checks).toBe(1);
    emit('checking');
    emit('not-available');
    expect(auto.status()).toEqual({ state: 'up-to-date', checkedAt: FIRST_CHECK_DELAY_MS });
    timers.advance(CHECK_INTERVAL_MS);
    expect(calls.checks).toBe(2);
    emit('available', '1.4.0');
    emit('progress', 42.4);
    expect(auto.status()).toMatchObject({ state: 'downloading', version: '1.4.0', percent: 42 });
    emit('downloaded', '1.4.0');
    timers.advance(CHECK_INTERVAL_MS * 2);
    expect(calls.checks).toBe(2);
  });

  it('a downloaded update never installs while a call is live, however idle the machine', () => {
    const { auto, timers, calls, emit, setIdle } = setup();
    setIdle(IDLE_INSTALL_SECONDS * 10);
    for (const call of [incoming('c1'), outgoing('c2', 'dialing'), incoming('c3', 'active')]) {
      auto.onSnapshot(snapshot({ calls: [call] }));
      emit('downloaded', '1.4.0');
      timers.advance(IDLE_POLL_MS * 5);
      expect(calls.installs).toEqual([]);
    }
    expect(auto.status().state).toBe('downloaded');
    // The call ends: the next idle poll installs and restarts the app.
    auto.onSnapshot(snapshot({ calls: [incoming('c3', 'ended')] }));
    timers.advance(IDLE_POLL_MS);
    expect(calls.installs).toEqual([{ restart: true }]);
    expect(auto.status().state).toBe('installing');
  });

  it('no call but the user is at the machine: waits for idle (or for quit)', () => {
    const { auto, timers, calls, emit, setIdle } = setup();
    auto.onSnapshot(snapshot({ calls: [] }));
    setIdle(IDLE_INSTALL_SECONDS - 1);
    emit('downloaded', '1.4.0');
    timers.advance(IDLE_POLL_MS * 3);
    expect(calls.installs).toEqual([]);
    setIdle(IDLE_INSTALL_SECONDS);
    timers.advance(IDLE_POLL_MS);
    expect(calls.installs).toEqual([{ restart: true }]);
    expect(auto.installOnQuit()).toBe(false); // already installing
  });

  it('on quit (calls already ended by the quit) a downloaded update installs without restart', () => {
    const { auto, emit, calls } = setup();
    expect(auto.installOnQuit()).toBe(false); // nothing downloaded: a plain exit
    emit('downloaded', '1.4.0');
    expect(auto.installOnQuit()).toBe(true);
    expect(calls.installs).toEqual([{ restart: false }]);
  });

  it('an error shows in the status (pushed to settings) and the next check still runs', () => {
    const { auto, timers, calls, emit, pushed } = setup();
    emit('error', 'net::ERR_CERT_AUTHORITY_INVALID');
    expect(auto.status()).toMatchObject({
      state: 'error',
      error: 'net::ERR_CERT_AUTHORITY_INVALID',
    });
    expect(pushed.at(-1)).toEqual(auto.status());
    timers.advance(FIRST_CHECK_DELAY_MS);
    expect(calls.checks).toBe(1);
  });

  it('a rejected check becomes an error status', async () => {
    const timers = new FakeTimers();
    const { updater } = fakeUpdater();
    updater.check = () => Promise.reject(new Error('getaddrinfo ENOTFOUND updates.example.com'));
    const auto = new AutoUpdate({
      config: ON,
      updater,
      timers,
      log: memoryLog(),
      idleSeconds: () => 0,
    });
    auto.start();
    timers.advance(FIRST_CHECK_DELAY_MS);
    await new Promise((r) => setImmediate(r));
    expect(auto.status().state).toBe('error');
    expect(auto.status().error).toContain('ENOTFOUND');
  });
});
