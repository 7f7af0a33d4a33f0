/**
 * Ringtones, call waiting, ringback, the hold tone (what the held party hears: a sound of its own
 * device, since the SFU forwards nothing while a call is on hold) and the test sound: the WAV files that
 * scripts/generate-resources.ts writes into resources/sounds/, played with an <audio> element on
 * the chosen output device (setSinkId). The files are Vite assets (`new URL(..., import.meta.url)`):
 * each build, web (dist/web, served by the server) and desktop (out/renderer, served from
 * app://trayphone), copies exactly the files the code names, with a content hash, and resolves the
 * URL against its own base. `play` returns a stop function and stops for sure.
 */

export const RINGTONES = ['classic', 'chime', 'pulse'] as const;
export type Ringtone = (typeof RINGTONES)[number];
export type Sound = Ringtone | 'waiting' | 'ringback' | 'test' | 'hold';

/** The literal `new URL` calls are what Vite recognizes as assets: keep them literal. */
export const SOUND_URLS: Record<Sound, string> = {
  classic: new URL('../../resources/sounds/ringtone-classic.wav', import.meta.url).href,
  chime: new URL('../../resources/sounds/ringtone-chime.wav', import.meta.url).href,
  pulse: new URL('../../resources/sounds/ringtone-pulse.wav', import.meta.url).href,
  waiting: new URL('../../resources/sounds/call-waiting.wav', import.meta.url).href,
  ringback: new URL('../../resources/sounds/ringback.wav', import.meta.url).href,
  test: new URL('../../resources/sounds/test-sound.wav', import.meta.url).href,
  hold: new URL('../../resources/sounds/hold-tone.wav', import.meta.url).href,
};

/** Played once; everything else loops until stopped. */
const ONE_SHOT: ReadonlySet<Sound> = new Set(['test']);
/** Bound for a one-shot sound whose `ended` never comes (blocked, failed to load). */
export const ONE_SHOT_MAX_MS = 2_000;

export const asRingtone = (name: string): Ringtone =>
  RINGTONES.find((r) => r === name) ?? 'classic';

/** What play() needs of HTMLAudioElement (tests pass a fake). */
export interface AudioLike {
  loop: boolean;
  src: string;
  setSinkId?: (id: string) => Promise<void>;
  play(): Promise<void>;
  pause(): void;
  load(): void;
  removeAttribute(name: string): void;
  addEventListener(type: 'ended', listener: () => void): void;
}

let createAudio = (): AudioLike => new Audio();
/** For tests: how audio elements are made. */
export function setAudioFactory(factory: () => AudioLike): void {
  createAudio = factory;
}

/** What is playing now; mirrored on <html data-sounds> so tests and tools can see it. */
export const playing = new Set<string>();
const mirror = (): void => {
  document.documentElement.dataset.sounds = [...playing].map((t) => t.split(':')[0]).join(' ');
};

/** Gestures that lift the autoplay block of a page nobody has touched yet. */
const GESTURES = ['pointerdown', 'keydown'] as const;

/**
 * Plays a sound on an output device ('' = default), looping until stopped (the test sound plays
 * once). A device that cannot be selected falls back to the default output. The Electron ringing
 * window may autoplay (main allows it); a web page may once the user interacted with it (signing
 * in is a gesture). Should the browser still refuse, the sound starts at the next key or click.
 */
export function play(name: Sound, deviceId = ''): () => void {
  const audio = createAudio();
  audio.loop = !ONE_SHOT.has(name);
  audio.src = SOUND_URLS[name];
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tag = `${name}:${Math.random().toString(36).slice(2)}`;
  playing.add(tag);
  mirror();

  const retryOnGesture = (): void => {
    for (const type of GESTURES) window.removeEventListener(type, retryOnGesture, true);
    if (!stopped) void audio.play().catch(() => undefined);
  };
  const start = (): void => {
    if (stopped) return;
    audio.play().catch((error: unknown) => {
      if (stopped || !(error instanceof Error) || error.name !== 'NotAllowedError') return;
      for (const type of GESTURES) window.addEventListener(type, retryOnGesture, true);
    });
  };
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    playing.delete(tag);
    mirror();
    clearTimeout(timer);
    if (typeof window !== 'undefined') {
      for (const type of GESTURES) window.removeEventListener(type, retryOnGesture, true);
    }
    audio.pause();
    // Drop the source so the element lets go of the file and the output device.
    audio.removeAttribute('src');
    audio.load();
  };
  if (!audio.loop) {
    audio.addEventListener('ended', stop);
    timer = setTimeout(stop, ONE_SHOT_MAX_MS);
  }
  // The device first, so not a moment of the ring comes out of the wrong speaker.
  if (deviceId && audio.setSinkId) audio.setSinkId(deviceId).then(start, start);
  else start();
  return stop;
}
