import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { TrayIcon } from '../main/tray/tray-model.js';
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
    expect([...TRAY_ICON_STATES].sort()).toEqual([...used].sort());
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
