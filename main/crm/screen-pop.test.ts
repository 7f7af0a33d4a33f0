import { describe, expect, it } from 'vitest';
import { memoryLog } from '../log/log.js';
import { callInfo, incoming, outgoing, snapshot } from '../testing/fakes.js';
import {
  ScreenPop,
  type ScreenPopSettings,
  isValidScreenPopTemplate,
  screenPopUrl,
} from './screen-pop.js';

const TEMPLATE = 'https://crm.example.com/lookup?caller={caller}&queue={queue}&call={callId}';

describe('CRM screen pop', () => {
  it('fills the template with percent-encoded values: a hostile caller id cannot add parameters', () => {
    expect(screenPopUrl(TEMPLATE, { caller: 'alice', queue: 'sales', callId: 'c1' })).toBe(
      'https://crm.example.com/lookup?caller=alice&queue=sales&call=c1',
    );
    expect(screenPopUrl(TEMPLATE, { caller: 'a&admin=1#x', queue: '', callId: 'c/1' })).toBe(
      'https://crm.example.com/lookup?caller=a%26admin%3D1%23x&queue=&call=c%2F1',
    );
    expect(
      screenPopUrl('https://crm.example.com/c/{caller}', { caller: '../x', queue: '', callId: '' }),
    ).toBe('https://crm.example.com/c/..%2Fx');
  });

  it('https only: http, custom schemes, credentials, a scheme from a placeholder are refused', () => {
    expect(isValidScreenPopTemplate(TEMPLATE)).toBe(true);
    expect(isValidScreenPopTemplate('http://crm.example.com/?c={caller}')).toBe(false);
    expect(isValidScreenPopTemplate('file:///etc/passwd')).toBe(false);
    expect(isValidScreenPopTemplate('https://u:p@crm.example.com/')).toBe(false);
    expect(isValidScreenPopTemplate('')).toBe(false);
    expect(
      screenPopUrl('{caller}', { caller: 'https://evil.example', queue: '', callId: '' }),
    ).toBeUndefined();
  });

  it('opens once per incoming call, on incoming or on answer as set; never for outgoing calls', () => {
    const opened: string[] = [];
    const settings: ScreenPopSettings = { template: TEMPLATE, when: 'ringing' };
    const pop = new ScreenPop(
      () => settings,
      (url) => opened.push(url),
      memoryLog(),
    );
    const queued = incoming('c1');
    queued.info = { ...callInfo('c1'), queue: { queue: 'sales', enteredAt: 1 } };
    pop.update(snapshot({ calls: [queued, outgoing('o1', 'ringback')] }));
    pop.update(snapshot({ calls: [queued] }));
    expect(opened).toEqual(['https://crm.example.com/lookup?caller=alice&queue=sales&call=c1']);
    settings.when = 'answered';
    pop.update(snapshot({ calls: [incoming('c2')] }));
    expect(opened).toHaveLength(1);
    pop.update(snapshot({ calls: [incoming('c2', 'active')] }));
    pop.update(snapshot({ calls: [incoming('c2', 'active')] }));
    expect(opened).toHaveLength(2);
    expect(opened[1]).toContain('call=c2');
    settings.template = 'http://crm.example.com/{caller}';
    pop.update(snapshot({ calls: [incoming('c3', 'active')] }));
    expect(opened).toHaveLength(2);
  });
});
