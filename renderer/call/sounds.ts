/**
 * Ringtones, ringback and the test sound, synthesized with WebAudio: nothing to download, and it
 * works under a strict CSP. Each tone is a repeating pattern of short notes; `play` returns a
 * stop function and stops for sure (tests and ring-end rules rely on it).
 */

export const RINGTONES = ['classic', 'chime', 'pulse'] as const;
export type Ringtone = (typeof RINGTONES)[number];

interface Note {
  /** Frequencies played together. */
  freqs: number[];
  start: number;
  duration: number;
}
interface Pattern {
  notes: Note[];
  /** Seconds until the pattern repeats. */
  period: number;
  gain: number;
}

const PATTERNS: Record<Ringtone | 'ringback' | 'test', Pattern> = {
  classic: {
    notes: [
      { freqs: [440, 480], start: 0, duration: 0.4 },
      { freqs: [440, 480], start: 0.6, duration: 0.4 },
    ],
    period: 3,
    gain: 0.2,
  },
  chime: {
    notes: [
      { freqs: [880], start: 0, duration: 0.25 },
      { freqs: [660], start: 0.3, duration: 0.25 },
      { freqs: [990], start: 0.6, duration: 0.4 },
    ],
    period: 2.5,
    gain: 0.2,
  },
  pulse: {
    notes: [0, 0.2, 0.4, 0.6].map((start) => ({ freqs: [750], start, duration: 0.1 })),
    period: 2,
    gain: 0.15,
  },
  // Ringback as in most of Europe and Asia: 425 Hz, one second on, four off.
  ringback: { notes: [{ freqs: [425], start: 0, duration: 1 }], period: 5, gain: 0.12 },
  test: { notes: [{ freqs: [523, 659, 784], start: 0, duration: 0.8 }], period: 0, gain: 0.15 },
};

export const asRingtone = (name: string): Ringtone =>
  RINGTONES.find((r) => r === name) ?? 'classic';

type SinkContext = AudioContext & { setSinkId?: (id: string) => Promise<void> };

/** What is playing now; mirrored on <html data-sounds> so tests and tools can see it. */
export const playing = new Set<string>();
const mirror = (): void => {
  document.documentElement.dataset.sounds = [...playing].map((t) => t.split(':')[0]).join(' ');
};

/**
 * Plays a tone on an output device ('' = default), repeating until stopped (or once for the test
 * sound). A device that cannot be selected falls back to the default output.
 */
export function play(name: Ringtone | 'ringback' | 'test', deviceId = ''): () => void {
  const pattern = PATTERNS[name];
  const ctx: SinkContext = new AudioContext();
  if (deviceId && ctx.setSinkId) ctx.setSinkId(deviceId).catch(() => undefined);
  const master = ctx.createGain();
  master.gain.value = pattern.gain;
  master.connect(ctx.destination);
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tag = `${name}:${Math.random().toString(36).slice(2)}`;
  playing.add(tag);
  mirror();

  const schedule = (): void => {
    if (stopped) return;
    const t0 = ctx.currentTime + 0.05;
    for (const note of pattern.notes) {
      for (const freq of note.freqs) {
        const osc = ctx.createOscillator();
        const env = ctx.createGain();
        osc.frequency.value = freq;
        // Short ramps: no clicks at the note edges.
        env.gain.setValueAtTime(0, t0 + note.start);
        env.gain.linearRampToValueAtTime(1 / note.freqs.length, t0 + note.start + 0.02);
        env.gain.setValueAtTime(1 / note.freqs.length, t0 + note.start + note.duration - 0.02);
        env.gain.linearRampToValueAtTime(0, t0 + note.start + note.duration);
        osc.connect(env).connect(master);
        osc.start(t0 + note.start);
        osc.stop(t0 + note.start + note.duration);
      }
    }
    if (pattern.period > 0) timer = setTimeout(schedule, pattern.period * 1000);
    else
      timer = setTimeout(() => {
        stop();
      }, 1500);
  };
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    playing.delete(tag);
    mirror();
    clearTimeout(timer);
    void ctx.close().catch(() => undefined);
  };
  void ctx.resume().catch(() => undefined);
  schedule();
  return stop;
}
