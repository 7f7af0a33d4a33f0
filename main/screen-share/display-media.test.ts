import { describe, expect, it } from 'vitest';
import { memoryLog } from '../log/log.js';
import { APP_ORIGIN } from '../security/origins.js';
import { type CaptureSource, type PickerEntry, answerDisplayMedia } from './display-media.js';

const sources: CaptureSource[] = [
  { id: 'window:42:0', name: 'Editor', thumbnail: 'data:image/png;base64,AA' },
  { id: 'screen:0:0', name: 'Entire screen', thumbnail: 'data:image/png;base64,BB' },
  { id: 'weird:1', name: '?', thumbnail: '' },
];
const ours = { frameUrl: `${APP_ORIGIN}/index.html#/call/x`, isMainFrame: true };

function deps(choose: (entries: PickerEntry[]) => string | null) {
  const shown: PickerEntry[][] = [];
  return {
    shown,
    deps: {
      origins: { app: APP_ORIGIN },
      listSources: () => Promise.resolve(sources),
      picker: {
        pick: (entries: PickerEntry[]) => {
          shown.push(entries);
          return Promise.resolve(choose(entries));
        },
      },
      log: memoryLog(),
    },
  };
}

describe('screen sharing (setDisplayMediaRequestHandler)', () => {
  it('offers screens then windows, with thumbnails, and shares what the user picked', async () => {
    const d = deps(() => 'window:42:0');
    expect(await answerDisplayMedia(ours, d.deps)).toEqual(sources[0]);
    expect(d.shown[0]?.map((e) => [e.kind, e.id, e.thumbnail !== ''])).toEqual([
      ['screen', 'screen:0:0', true],
      ['window', 'window:42:0', true],
    ]);
  });

  it('refuses other origins and sub-frames before listing anything; cancel and unknown ids share nothing', async () => {
    const d = deps(() => 'screen:0:0');
    expect(
      await answerDisplayMedia({ ...ours, frameUrl: 'https://evil.example/' }, d.deps),
    ).toBeUndefined();
    expect(await answerDisplayMedia({ ...ours, isMainFrame: false }, d.deps)).toBeUndefined();
    expect(await answerDisplayMedia({ ...ours, frameUrl: undefined }, d.deps)).toBeUndefined();
    expect(d.shown).toEqual([]);
    expect(await answerDisplayMedia(ours, deps(() => null).deps)).toBeUndefined();
    expect(await answerDisplayMedia(ours, deps(() => 'screen:9:9').deps)).toBeUndefined();
  });
});
