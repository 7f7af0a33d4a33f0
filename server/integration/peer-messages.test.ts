import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scenario, rejection, settled } from './support.js';

let s: Scenario;
beforeEach(async () => {
  s = await Scenario.start({}, ['alice', 'bob', 'carol']);
});
afterEach(async () => {
  await s.dispose();
});

describe('a peer message', () => {
  it('reaches every device of the recipient, and the sender learns of each acknowledgement', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    const desk = await s.signIn('bob', 'bob-desk');
    const phone = await s.signIn('bob', 'bob-phone');

    const sent = await alice.request('message.send', {
      messageId: 'msg-1',
      to: 'bob',
      body: '{"kind":"nudge"}',
    });
    expect(sent).toEqual({ deliveredTo: 2 });

    const expected = {
      messageId: 'msg-1',
      from: 'alice',
      fromDevice: 'alice-laptop',
      body: '{"kind":"nudge"}',
    };
    expect(await desk.waitFor('message.received')).toEqual(expected);
    expect(await phone.waitFor('message.received')).toEqual(expected);

    await phone.request('message.ack', { messageId: 'msg-1', from: 'alice' });
    expect(await alice.waitFor('message.delivered')).toEqual({
      messageId: 'msg-1',
      to: 'bob',
      deviceId: 'bob-phone',
    });
    // One acknowledgement, one delivery notice.
    await settled(alice);
    expect(alice.received('message.delivered')).toEqual([]);
  });

  it('is handed to nobody when the recipient is offline', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    expect(
      await alice.request('message.send', { messageId: 'msg-2', to: 'carol', body: 'hello' }),
    ).toEqual({ deliveredTo: 0 });
  });

  it('is refused as not-found for a user that does not exist', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    await rejection(
      alice.request('message.send', { messageId: 'msg-3', to: 'nobody', body: 'hello' }),
      'not-found',
    );
  });

  it('can only be acknowledged by its recipient', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-desk');
    const carol = await s.signIn('carol', 'carol-desk');
    await alice.request('message.send', { messageId: 'msg-4', to: 'bob', body: 'hi' });
    await bob.waitFor('message.received');
    await rejection(
      carol.request('message.ack', { messageId: 'msg-4', from: 'alice' }),
      'not-found',
    );
    await rejection(
      bob.request('message.ack', { messageId: 'never-sent', from: 'alice' }),
      'not-found',
    );
    await settled(alice);
    expect(alice.received('message.delivered')).toEqual([]);
  });
});
