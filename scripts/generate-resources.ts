/**
 * Generates the desktop app's binary resources, so that they are reproducible from source:
 *   resources/tray/<state>-16.png, <state>-32.png   tray icons per state (state colours)
 *   resources/tray/<state>-missed-<n>-16.png, …-32.png  the same with a red missed-call badge
 *                                                    (n = 1..9, 9plus; main/tray/tray-model.ts)
 *   resources/icons/icon-512.png, icon-256.png       app icon (electron-builder derives .ico/.icns)
 *   resources/sounds/ringtone-<name>.wav             every ringtone the settings picker offers
 *                                                    (SOUND_FILES below; the renderer plays them)
 *   resources/sounds/call-waiting.wav                two short beeps, then quiet (discreet ring)
 *   resources/sounds/ringback.wav                    425 Hz, 1 s on / 4 s off (what a caller hears)
 *   resources/sounds/test-sound.wav                  a short chord, played once (settings test)
 *   resources/sounds/hold-tone.wav                   two soft notes every 4 s (the held party's)
 * The sounds are the only sound source of the app: renderer/call/sounds.ts imports these files
 * (Vite asset URLs), so both the web and the desktop build ship exactly what is generated here.
 * Run: node --import tsx scripts/generate-resources.ts   (deterministic: same bytes every run)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';
import { BADGED_TRAY_ICONS, MISSED_BADGES } from '../main/tray/tray-model.js';

const root = path.resolve(import.meta.dirname, '..', 'resources');

// ---- PNG --------------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
/** RGBA pixels (row-major, 4 bytes each) to a PNG file. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(
      raw,
      y * (width * 4 + 1) + 1,
    );
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

type RGB = [number, number, number];
/** Coverage of a shape at a point in unit coordinates (0..1): alpha 0..1 and colour. */
type Shader = (x: number, y: number) => { color: RGB; alpha: number } | undefined;

/** Renders with 4×4 supersampling so small icons have smooth edges. */
function render(size: number, shade: Shader): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const ss = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const hit = shade((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size);
          if (!hit) continue;
          r += hit.color[0] * hit.alpha;
          g += hit.color[1] * hit.alpha;
          b += hit.color[2] * hit.alpha;
          a += hit.alpha;
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((a / (ss * ss)) * 255);
    }
  }
  return out;
}

const WHITE: RGB = [255, 255, 255];
const dist = (x: number, y: number) => Math.hypot(x - 0.5, y - 0.5);

/** A tray icon: a disc in the state colour with a white mark. */
function trayShader(color: RGB, mark: 'none' | 'bar' | 'dot' | 'ring' | 'hollow'): Shader {
  return (x, y) => {
    const d = dist(x, y);
    if (d > 0.46) return undefined;
    if (mark === 'hollow' && d < 0.3) return undefined;
    if (mark === 'bar' && Math.abs(y - 0.5) < 0.08 && Math.abs(x - 0.5) < 0.27) {
      return { color: WHITE, alpha: 1 };
    }
    if (mark === 'dot' && d < 0.16) return { color: WHITE, alpha: 1 };
    if (mark === 'ring' && d > 0.2 && d < 0.3) return { color: WHITE, alpha: 1 };
    return { color, alpha: 1 };
  };
}

const TRAY: Record<string, Shader> = {
  available: trayShader([46, 157, 78], 'none'),
  away: trayShader([224, 168, 0], 'none'),
  busy: trayShader([217, 54, 62], 'none'),
  dnd: trayShader([217, 54, 62], 'bar'),
  offline: trayShader([138, 143, 152], 'hollow'),
  ringing: trayShader([30, 123, 230], 'ring'),
  'ringing-dim': trayShader([140, 185, 240], 'ring'),
  'in-call': trayShader([30, 123, 230], 'dot'),
};

// ---- missed-call badge ------------------------------------------------------------------------

/** 3×5 digits (and a 3×3 plus) for the badge: readable at 16 px, where fonts are not. */
const GLYPHS: Record<string, string[]> = {
  '1': ['.#.', '##.', '.#.', '.#.', '###'],
  '2': ['##.', '..#', '.#.', '#..', '###'],
  '3': ['##.', '..#', '.#.', '..#', '##.'],
  '4': ['#.#', '#.#', '###', '..#', '..#'],
  '5': ['###', '#..', '##.', '..#', '##.'],
  '6': ['.##', '#..', '###', '#.#', '###'],
  '7': ['###', '..#', '.#.', '.#.', '.#.'],
  '8': ['###', '#.#', '###', '#.#', '###'],
  '9': ['###', '#.#', '###', '..#', '##.'],
  '+': ['...', '.#.', '###', '.#.', '...'],
};
const BADGE_RED: RGB = [214, 40, 40];
const BADGE = { cx: 0.7, cy: 0.7, r: 0.3, gap: 0.06 };

/** The text of a badge as one bitmap: glyphs side by side, one empty column between. */
function badgeBitmap(text: string): string[] {
  const glyphs = text.split('').map((c) => GLYPHS[c] ?? GLYPHS['+']!);
  return Array.from({ length: 5 }, (_, row) => glyphs.map((g) => g[row]).join('.'));
}

/**
 * A tray icon with the missed-call count: the state icon, a transparent gap around a red disc at
 * the bottom right (it stays legible on the state's own colour), and the count in white.
 */
function badgedShader(base: Shader, text: string): Shader {
  const bitmap = badgeBitmap(text);
  const columns = bitmap[0]!.length;
  // The text box fits inside the disc: 5 rows high, as wide as the glyphs need.
  const cell = Math.min((BADGE.r * 1.25) / 5, (BADGE.r * 1.6) / columns);
  const left = BADGE.cx - (columns * cell) / 2;
  const top = BADGE.cy - (5 * cell) / 2;
  return (x, y) => {
    const d = Math.hypot(x - BADGE.cx, y - BADGE.cy);
    if (d > BADGE.r + BADGE.gap) return base(x, y);
    if (d > BADGE.r) return undefined;
    const col = Math.floor((x - left) / cell);
    const row = Math.floor((y - top) / cell);
    const on = bitmap[row]?.[col] === '#';
    return { color: on ? WHITE : BADGE_RED, alpha: 1 };
  };
}

/** The app icon: a blue rounded square with a white handset-like arc and a status dot. */
const appIcon: Shader = (x, y) => {
  const r = 0.2;
  const qx = Math.max(Math.abs(x - 0.5) - (0.5 - r - 0.04), 0);
  const qy = Math.max(Math.abs(y - 0.5) - (0.5 - r - 0.04), 0);
  if (Math.hypot(qx, qy) > r) return undefined;
  // Handset: a thick arc, lower-left quadrant of a circle centred top-right.
  const d = Math.hypot(x - 0.66, y - 0.34);
  const inArc = d > 0.2 && d < 0.34 && x < 0.66 && y > 0.34;
  const cap1 = Math.hypot(x - 0.39, y - 0.34) < 0.075; // earpiece end
  const cap2 = Math.hypot(x - 0.66, y - 0.61) < 0.075; // mouthpiece end
  if (inArc || cap1 || cap2) return { color: WHITE, alpha: 1 };
  if (Math.hypot(x - 0.74, y - 0.74) < 0.09) return { color: [46, 200, 110], alpha: 1 };
  return { color: [24, 98, 200], alpha: 1 };
};

// ---- WAV --------------------------------------------------------------------------------------

const RATE = 16_000;
/** Mono 16-bit PCM WAV. */
export function encodeWav(samples: Float32Array, rate = RATE): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => {
    data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, s)) * 32767), i * 2);
  });
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** `seconds` of audio sampled from `f(t)`. */
function synth(seconds: number, f: (t: number) => number): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) out[i] = f(i / RATE);
  return out;
}
const sine = (hz: number, t: number) => Math.sin(2 * Math.PI * hz * t);
/** 1 inside [start, end) with 10 ms raised-cosine edges, else 0. */
function envelope(t: number, start: number, end: number): number {
  const fade = 0.01;
  if (t < start || t >= end) return 0;
  const edge = Math.min(t - start, end - t);
  return edge >= fade ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * edge) / fade);
}

const classic = synth(4, (t) => {
  // North-American ring: 440 + 480 Hz, 2 s on, 2 s off (loops seamlessly).
  return 0.35 * envelope(t, 0, 2) * (sine(440, t) + sine(480, t));
});
const chime = synth(3, (t) => {
  // Three decaying chime notes (C6, E6, G6), then quiet.
  const notes = [1046.5, 1318.5, 1568.0];
  let s = 0;
  notes.forEach((hz, i) => {
    const start = i * 0.25;
    if (t >= start) {
      const age = t - start;
      s += envelope(t, start, 3) * Math.exp(-age * 3) * (sine(hz, t) + 0.3 * sine(hz * 2, t));
    }
  });
  return 0.3 * s;
});
const pulse = synth(2, (t) => {
  // Four short 750 Hz beeps, then quiet.
  let on = 0;
  for (const start of [0, 0.2, 0.4, 0.6]) on += envelope(t, start, start + 0.1);
  return 0.3 * on * sine(750, t);
});
const testSound = synth(1, (t) => {
  // A C-major chord (C5, E5, G5), 0.8 s, then quiet: played once, not looped.
  return 0.2 * envelope(t, 0, 0.8) * (sine(523.25, t) + sine(659.25, t) + sine(783.99, t));
});
const waiting = synth(6, (t) => 0.3 * (envelope(t, 0, 0.2) + envelope(t, 0.4, 0.6)) * sine(440, t));
const ringback = synth(5, (t) => 0.3 * envelope(t, 0, 1) * sine(425, t));
// Played on the held party's own device (issue 18: a client-side hold tone, not served media):
// two soft falling notes (E5, C5), then quiet, so it reads as "still connected, on hold".
const holdTone = synth(
  4,
  (t) => 0.2 * (envelope(t, 0, 0.18) * sine(659.25, t) + envelope(t, 0.25, 0.43) * sine(523.25, t)),
);

/**
 * Every sound, by file name (without .wav). The renderer's list (renderer/call/sounds.ts) must
 * name the same files: scripts/generate-resources.test.ts checks that they agree.
 */
const SOUNDS: Record<string, Float32Array> = {
  'ringtone-classic': classic,
  'ringtone-chime': chime,
  'ringtone-pulse': pulse,
  'call-waiting': waiting,
  ringback,
  'test-sound': testSound,
  'hold-tone': holdTone,
};
export const SOUND_NAMES = Object.keys(SOUNDS);

// ---- write ------------------------------------------------------------------------------------

/** Every resource file, by path relative to resources/. */
export function generateResources(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const [state, shader] of Object.entries(TRAY)) {
    for (const size of [16, 32]) {
      files.set(`tray/${state}-${size}.png`, encodePng(size, size, render(size, shader)));
    }
  }
  for (const state of BADGED_TRAY_ICONS) {
    for (const badge of MISSED_BADGES) {
      const shader = badgedShader(TRAY[state]!, badge === '9plus' ? '9+' : badge);
      for (const size of [16, 32]) {
        files.set(
          `tray/${state}-missed-${badge}-${size}.png`,
          encodePng(size, size, render(size, shader)),
        );
      }
    }
  }
  for (const size of [256, 512]) {
    files.set(`icons/icon-${size}.png`, encodePng(size, size, render(size, appIcon)));
  }
  for (const [name, samples] of Object.entries(SOUNDS)) {
    files.set(`sounds/${name}.wav`, encodeWav(samples));
  }
  return files;
}

export const TRAY_ICON_STATES = [
  ...Object.keys(TRAY),
  ...BADGED_TRAY_ICONS.flatMap((state) => MISSED_BADGES.map((b) => `${state}-missed-${b}`)),
];
export const RESOURCES_DIR = root;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [relative, bytes] of generateResources()) {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    console.log(`${relative}  ${bytes.length} bytes`);
  }
}
