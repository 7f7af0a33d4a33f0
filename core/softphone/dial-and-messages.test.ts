import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { closePhones, password, rejected, testPhone, until } from './testing/softphone-fixture.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
  await t.addUser('alice');
  await t.addUser('bob');
});
afterEach(async () => {
  await closePhones();
  await t.dispose();
});

describe('Softphone dial requests', () => {
  it('holds a click-to-call request for the dialer until it is cleared, signed in or not', async () => {
    const phone = testPhone();
    phone.sp.requestDial('  bob ', 'video');
    await phone.until((s) => s.dialRequest?.target === 'bob');
    expect(phone.last().dialRequest).toEqual({ target: 'bob', media: 'video' });
    // The shape main's deep-link parser produces works too; media defaults to audio.
    phone.sp.requestDial({ target: '+4930123456' });
    await phone.until((s) => s.dialRequest?.target === '+4930123456');
    expect(phone.last().dialRequest?.media).toBe('audio');
    expect(() => {
      phone.sp.requestDial('');
    }).toThrow(/target/);

    // Signing in keeps it: the link may be what started the app.
    await phone.sp.signIn({
      serverUrl: t.server.httpUrl,
      userId: 'alice',
      password: password('alice'),
    });
    expect((await phone.sp.getSnapshot({})).dialRequest?.target).toBe('+4930123456');
    await phone.sp.clearDialRequest({});
    await phone.until((s) => s.dialRequest === null);
    expect((await rejected(phone.sp.clearDialRequest({ target: 'x' } as never))).code).toBe(
      'invalid-argument',
    );
  });
});

describe('Softphone peer messages', () => {
  it('passes a custom message to the UI and acknowledges it to the sender', async () => {
    const bob = testPhone();
    await bob.sp.signIn({ serverUrl: t.server.httpUrl, userId: 'bob', password: password('bob') });
    const messages: { messageId: string; from: string; body: string }[] = [];
    bob.sp.on('message', (m) => messages.push(m));

    const alice = await t.connect('alice');
    const { deliveredTo } = await alice.request('message.send', {
      messageId: 'm-1',
      to: 'bob',
      body: '{"kind":"hello"}',
    });
    expect(deliveredTo).toBe(1);
    await until(() => messages.length === 1, 'message delivered to the UI');
    expect(messages[0]).toEqual({ messageId: 'm-1', from: 'alice', body: '{"kind":"hello"}' });
    expect(await alice.waitFor('message.delivered')).toMatchObject({ messageId: 'm-1', to: 'bob' });
  });
});
