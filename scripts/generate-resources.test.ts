import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BADGED_TRAY_ICONS, MISSED_BADGES, type TrayIcon } from '../main/tray/tray-model.js';
import {
  RESOURCES_DIR,
  SOUND_NAMES,
  TRAY_ICON_STATES,
  generateResources,
} from './generate-resources.js';

describe('generated resources', () => {
  const files = generateResources();

  it('the committed files are exactly what the generator produces', () => {
    for (const [relative, bytes] of files) {
      expect(readFileSync(path.join(RESOURCES_DIR, relative)).equals(bytes), relative).toBe(true);
    }
  });

  it('there is a tray icon for every icon the tray model uses', () => {
    const used: TrayIcon[] = [
      'available',
      'away',
      'busy',
      'dnd',
      'offline',
      'ringing',
      'ringing-dim',
      'in-call',
    ];
    const badged = BADGED_TRAY_ICONS.flatMap((state) =>
      MISSED_BADGES.map((badge): TrayIcon => `${state}-missed-${badge}`),
    );
    expect([...TRAY_ICON_STATES].sort()).toEqual([...used, ...badged].sort());
    for (const icon of [...used, ...badged]) {
      expect(files.has(`tray/${icon}-16.png`), icon).toBe(true);
      expect(files.has(`tray/${icon}-32.png`), icon).toBe(true);
    }
  });

  it('a missed-call badge is a red disc at the bottom right with the count in white', () => {
    const size = 32;
    const raw = (name: string): Buffer => {
      const png = files.get(`tray/${name}-${size}.png`)!;
      return inflateSync(png.subarray(41, 41 + png.readUInt32BE(33)));
    };
    const at = (img: Buffer, x: number, y: number) => [
      ...img.subarray(y * (size * 4 + 1) + 1 + x * 4, y * (size * 4 + 1) + 5 + x * 4),
    ];
    const plain = raw('available');
    const three = raw('available-missed-3');
    const seven = raw('available-missed-7');
    // The top left is the state's disc, untouched; the badge differs from the plain icon.
    expect(at(three, 8, 10)).toEqual(at(plain, 8, 10));
    expect(three.equals(plain)).toBe(false);
    expect(three.equals(seven)).toBe(false);
    const badgePixels = [] as number[][];
    for (let y = 17; y < 28; y++) for (let x = 17; x < 28; x++) badgePixels.push(at(three, x, y));
    expect(badgePixels.some((p) => p[0] === 214 && p[1] === 40 && p[2] === 40)).toBe(true);
    expect(badgePixels.some((p) => p[0] === 255 && p[1] === 255 && p[2] === 255)).toBe(true);
  });

  it('PNGs decode: signature, size, RGBA, and pixel data of the right length', () => {
    const png = files.get('tray/busy-32.png')!;
    expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    expect(png.readUInt32BE(16)).toBe(32);
    expect(png.readUInt32BE(20)).toBe(32);
    expect(png[25]).toBe(6);
    const idatLength = png.readUInt32BE(33);
    expect(png.toString('ascii', 37, 41)).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect(raw.length).toBe((32 * 4 + 1) * 32);
    // The centre pixel is opaque busy red, a corner is transparent.
    const at = (x: number, y: number) => raw.subarray(y * 129 + 1 + x * 4, y * 129 + 5 + x * 4);
    expect([...at(16, 16)]).toEqual([217, 54, 62, 255]);
    expect(at(0, 0)[3]).toBe(0);
  });

  it('WAVs are 16 kHz mono PCM, audible, and loop without a click at the seam', () => {
    expect(SOUND_NAMES.length).toBeGreaterThanOrEqual(6);
    for (const name of SOUND_NAMES) {
      const wav = files.get(`sounds/${name}.wav`)!;
      expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
      expect(wav.readUInt16LE(20)).toBe(1);
      expect(wav.readUInt32LE(24)).toBe(16_000);
      const samples = new Int16Array(wav.buffer, wav.byteOffset + 44, (wav.length - 44) / 2);
      const peak = samples.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
      expect(peak, name).toBeGreaterThan(5000);
      expect(Math.abs(samples[0]!), name).toBeLessThan(500);
      expect(Math.abs(samples.at(-1)!), name).toBeLessThan(500);
    }
  });
});
