import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RESOURCES_DIR, SOUND_NAMES } from '../../scripts/generate-resources.js';
import {
  type AudioLike,
  ONE_SHOT_MAX_MS,
  RINGTONES,
  SOUND_URLS,
  play,
  setAudioFactory,
} from './sounds.js';

class FakeAudio implements AudioLike {
  static all: FakeAudio[] = [];
  loop = false;
  src = '';
  playing = false;
  sink = '';
  log: string[] = [];
  ended?: () => void;
  refuse?: Error;
  constructor() {
    FakeAudio.all.push(this);
  }
  setSinkId(id: string): Promise<void> {
    this.log.push(`sink ${id}`);
    this.sink = id;
    return id === 'gone' ? Promise.reject(new Error('NotFoundError')) : Promise.resolve();
  }
  play(): Promise<void> {
    this.log.push('play');
    if (this.refuse) return Promise.reject(this.refuse);
    this.playing = true;
    return Promise.resolve();
  }
  pause(): void {
    this.log.push('pause');
    this.playing = false;
  }
  load(): void {
    this.log.push('load');
  }
  removeAttribute(name: string): void {
    if (name === 'src') this.src = '';
  }
  addEventListener(_type: 'ended', listener: () => void): void {
    this.ended = listener;
  }
}

const root = { dataset: {} as Record<string, string> };
const listeners = new Map<string, () => void>();
beforeEach(() => {
  FakeAudio.all = [];
  setAudioFactory(() => new FakeAudio());
  vi.stubGlobal('document', { documentElement: root });
  vi.stubGlobal('window', {
    addEventListener: (type: string, l: () => void) => listeners.set(type, l),
    removeEventListener: (type: string) => listeners.delete(type),
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
  listeners.clear();
});
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('sounds', () => {
  it('every sound is a generated file in resources/sounds, and every generated sound is used', () => {
    const files = Object.values(SOUND_URLS).map((url) => fileURLToPath(url));
    for (const file of files) expect(file.startsWith(`${RESOURCES_DIR}/sounds/`), file).toBe(true);
    const names = files.map((f) => f.replace(/^.*\/(.*)\.wav$/, '$1')).sort();
    expect(names).toEqual([...SOUND_NAMES].sort());
    const committed = readdirSync(`${RESOURCES_DIR}/sounds`).map((f) => f.replace(/\.wav$/, ''));
    expect(committed.sort()).toEqual(names);
    // The picker offers exactly the ringtones there are files for.
    for (const r of RINGTONES) expect(SOUND_NAMES).toContain(`ringtone-${r}`);
  });

  it('a ringtone loops on the chosen device (device first), is mirrored, and stops for sure', async () => {
    const stop = play('chime', 'usb-headset');
    const audio = FakeAudio.all[0]!;
    expect(audio.loop).toBe(true);
    expect(audio.src).toBe(SOUND_URLS.chime);
    expect(root.dataset.sounds).toBe('chime');
    await flush();
    expect(audio.log).toEqual(['sink usb-headset', 'play']);
    expect(audio.playing).toBe(true);
    stop();
    stop();
    expect(audio.playing).toBe(false);
    expect(audio.src).toBe('');
    expect(root.dataset.sounds).toBe('');
  });

  it('a device that cannot be selected still rings, on the default output', async () => {
    play('classic', 'gone')();
    const stop = play('classic', 'gone');
    await flush();
    expect(FakeAudio.all[1]!.playing).toBe(true);
    stop();
  });

  it('stopped before the device was set: never starts', async () => {
    play('ringback', 'usb-headset')();
    await flush();
    expect(FakeAudio.all[0]!.log).not.toContain('play');
  });

  it('the test sound plays once and is over at its end, or after a bound', () => {
    play('test');
    const audio = FakeAudio.all[0]!;
    expect(audio.loop).toBe(false);
    expect(root.dataset.sounds).toBe('test');
    audio.ended?.();
    expect(root.dataset.sounds).toBe('');
    vi.useFakeTimers();
    play('test');
    expect(root.dataset.sounds).toBe('test');
    vi.advanceTimersByTime(ONE_SHOT_MAX_MS);
    expect(root.dataset.sounds).toBe('');
  });

  it('refused by the autoplay policy: starts at the next key or click', async () => {
    const refusal = Object.assign(new Error('no gesture'), { name: 'NotAllowedError' });
    setAudioFactory(() => Object.assign(new FakeAudio(), { refuse: refusal }));
    const stop = play('classic');
    await flush();
    const audio = FakeAudio.all[0]!;
    expect(audio.playing).toBe(false);
    expect([...listeners.keys()].sort()).toEqual(['keydown', 'pointerdown']);
    delete audio.refuse;
    listeners.get('pointerdown')!();
    await flush();
    expect(audio.playing).toBe(true);
    expect(listeners.size).toBe(0);
    stop();
  });
});
