import { describe, expect, it } from 'vitest';
import type { SourcePickRequest } from '../../protocol/index.js';
import { sourcePickRequestSchema } from '../../protocol/index.js';
import { memoryLog } from '../log/log.js';
import { FakeTimers } from '../testing/fakes.js';
import { answerDisplayMedia } from './display-media.js';
import { PICK_TIMEOUT_MS, RendererSourcePicker } from './renderer-picker.js';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';
const sources = [
  { id: 'window:7:0', name: 'Notes', thumbnail: PNG },
  { id: 'screen:0:0', name: 'Entire screen', thumbnail: PNG },
];

function setup() {
  const asked: SourcePickRequest[] = [];
  const timers = new FakeTimers();
  const picker = new RendererSourcePicker({ ask: (r) => asked.push(r), timers, log: memoryLog() });
  const share = () =>
    answerDisplayMedia(
      { frameUrl: 'app://trayphone/index.html', isMainFrame: true },
      {
        origins: { app: 'app://trayphone' },
        listSources: () => Promise.resolve(sources),
        picker,
        log: memoryLog(),
      },
    );
  const flush = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { asked, timers, picker, share, flush };
}

describe('the renderer screen-share picker (main side)', () => {
  it('pushes screens then windows with thumbnails, valid for the IPC schema; the answer shares that source', async () => {
    const { asked, picker, share, flush } = setup();
    const shared = share();
    await flush();
    expect(asked).toHaveLength(1);
    const request = sourcePickRequestSchema.parse(asked[0]);
    expect(request.sources.map((s) => `${s.kind}:${s.name}`)).toEqual([
      'screen:Entire screen',
      'window:Notes',
    ]);
    picker.choose(request.requestId, 'window:7:0');
    expect(await shared).toMatchObject({ id: 'window:7:0', name: 'Notes' });
  });

  it('cancel, a source never offered, and an answer to another request share nothing', async () => {
    const { asked, picker, share, flush } = setup();
    let shared = share();
    await flush();
    picker.choose(asked[0]?.requestId ?? '', null);
    expect(await shared).toBeUndefined();
    shared = share();
    await flush();
    picker.choose('pick-old', 'screen:0:0'); // stale: ignored, still waiting
    picker.choose(asked[1]?.requestId ?? '', 'screen:9:9');
    expect(await shared).toBeUndefined();
  });

  it('a new pick cancels the open one; an unanswered pick ends after the timeout', async () => {
    const { asked, picker, share, timers, flush } = setup();
    const first = share();
    await flush();
    const second = share();
    await flush();
    expect(await first).toBeUndefined();
    expect(asked.map((r) => r.requestId)).toEqual(['pick-1', 'pick-2']);
    timers.advance(PICK_TIMEOUT_MS);
    expect(await second).toBeUndefined();
    expect(timers.active).toBe(0);
    // The late answer does nothing.
    picker.choose('pick-2', 'screen:0:0');
  });
});
