import { describe, expect, it } from 'vitest';
import type { Presence } from '../../protocol/index.js';
import type { SignalingClient } from '../signaling/signaling-client.js';
import { PresenceWatch } from './presence-watch.js';

/** A connected signaling client whose presence.subscribe answers when the test says. */
function fakeSignaling() {
  const answers: ((users: Presence[]) => void)[] = [];
  const client = {
    state: 'connected',
    request: (type: string) =>
      type === 'presence.subscribe'
        ? new Promise<{ users: Presence[] }>((resolve) => {
            answers.push((users) => {
              resolve({ users });
            });
          })
        : Promise.resolve({}),
  };
  return { client: client as unknown as SignalingClient, answers };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('PresenceWatch', () => {
  it('keeps an event that arrived after the subscribe answer was sent over that answer', async () => {
    const { client, answers } = fakeSignaling();
    const statuses: string[] = [];
    const watch = new PresenceWatch(
      () => undefined,
      (s) => statuses.push(s),
    );
    watch.attach(client, 'alice');
    const watching = watch.setWatched(['bob']);
    await flush();
    // The answer (stale) and then an event (newer) arrive in one chunk; the event is handled first.
    answers[0]?.([
      { userId: 'bob', online: true, status: 'available' },
      { userId: 'alice', online: true, status: 'available' },
    ]);
    watch.onPresence({ userId: 'bob', online: true, status: 'busy' });
    watch.onPresence({ userId: 'alice', online: true, status: 'dnd' });
    await watching;
    expect(watch.snapshot()).toEqual([{ userId: 'bob', online: true, status: 'busy' }]);
    expect(statuses.at(-1)).toBe('dnd');
  });

  it('lists watched users, then favourites, once each, and forgets dropped ones', async () => {
    const { client, answers } = fakeSignaling();
    const watch = new PresenceWatch(
      () => undefined,
      () => undefined,
    );
    watch.attach(client, 'alice');
    const first = watch.setWatched(['bob', 'carol', 'bob']);
    await flush();
    answers[0]?.([
      { userId: 'bob', online: false, status: 'away' },
      { userId: 'carol', online: true, status: 'available' },
    ]);
    await first;
    const favs = watch.setFavourites(['dave', 'carol']);
    await flush();
    answers[1]?.([{ userId: 'dave', online: true, status: 'dnd' }]);
    await favs;
    expect(watch.watched()).toEqual(['bob', 'carol', 'dave']);
    await watch.setWatched([]);
    expect(watch.snapshot().map((p) => p.userId)).toEqual(['dave', 'carol']);
  });
});
