import { expect, it } from 'vitest';
import type { CallRecord } from '../../../protocol/index.js';
import type { OutboxEntry } from '../outbox-entry.js';
import { makeCall, makeRecord } from '../test-support.js';
import { describeStoreContract } from './backends.js';

const T0 = 1_700_000_000_000;
const ids = (list: readonly CallRecord[]): string[] => list.map((record) => record.callId);

const endedWebhook = (deliveryId: string, callId: string): OutboxEntry => ({
  type: 'call.ended',
  deliveryId,
  sentAt: T0,
  record: makeRecord({ callId }),
});

describeStoreContract('call data', (backend) => {
  it('finds records by user (caller or participant) and by time range, newest first', async () => {
    const { records } = await (await backend.place()).open();
    records.add(makeRecord({ callId: 'call-0001', createdAt: T0, callerId: 'alice' }));
    records.add(
      makeRecord({
        callId: 'call-0002',
        createdAt: T0 + 60_000,
        callerId: 'bob',
        participants: [
          { userId: 'carol', role: 'callee', invitedAt: T0, outcome: 'refused', durationSec: 0 },
        ],
      }),
    );
    records.add(makeRecord({ callId: 'call-0003', createdAt: T0 + 120_000, callerId: 'carol' }));
    // Reads wait for what is pending: no flush needed.
    expect(ids(await records.query({ userId: 'carol' }))).toEqual(['call-0003', 'call-0002']);
    expect(ids(await records.query({ userId: 'alice' }))).toEqual(['call-0003', 'call-0001']);
    expect(await records.query({ userId: 'nobody' })).toEqual([]);
    expect(ids(await records.query({}))).toEqual(['call-0003', 'call-0002', 'call-0001']);
    expect(ids(await records.query({ from: T0 + 60_000, before: T0 + 120_000 }))).toEqual([
      'call-0002',
    ]);
    expect(ids(await records.query({ limit: 1 }))).toEqual(['call-0003']);
    expect(await records.query({ limit: 0 })).toEqual([]);
    expect(await records.get('call-0002')).toEqual(
      expect.objectContaining({ callId: 'call-0002', callerId: 'bob' }),
    );
    expect(await records.get('call-none')).toBeUndefined();
  });

  it('pages below a (createdAt, callId) key: records sharing a millisecond are each read once', async () => {
    const { records } = await (await backend.place()).open();
    for (const burst of [0, 1, 2]) {
      for (const n of [3, 0, 4, 1, 2]) {
        records.add(makeRecord({ callId: `call-b${burst}-${n}`, createdAt: T0 + burst }));
      }
    }
    const expected = [2, 1, 0].flatMap((b) => [4, 3, 2, 1, 0].map((n) => `call-b${b}-${n}`));
    for (const userId of ['bob', undefined]) {
      const seen: string[] = [];
      let olderThan: { createdAt: number; callId: string } | undefined;
      for (;;) {
        const page = await records.query({ userId, limit: 4, ...(olderThan && { olderThan }) });
        const last = page.at(-1);
        if (!last) break;
        seen.push(...ids(page));
        olderThan = { createdAt: last.createdAt, callId: last.callId };
      }
      expect(seen).toEqual(expected);
    }
    const both = await records.query({
      before: T0 + 1,
      olderThan: { createdAt: T0 + 2, callId: 'call-b2-2' },
    });
    expect(ids(both)).toEqual(expected.slice(10));
  });

  it('replaces a record added again for the same call, participants included', async () => {
    const { records } = await (await backend.place()).open();
    records.add(makeRecord({ callId: 'call-0001' }));
    await records.flush();
    const replaced = makeRecord({
      callId: 'call-0001',
      callerId: 'carol',
      durationSec: 7,
      participants: [
        { userId: 'dan', role: 'callee', invitedAt: T0, outcome: 'busy', durationSec: 0 },
      ],
    });
    records.add(replaced);
    expect(await records.get('call-0001')).toEqual(replaced);
    // alice and bob were only in the replaced version.
    expect(await records.query({ userId: 'alice' })).toEqual([]);
    expect(await records.query({ userId: 'bob' })).toEqual([]);
    expect(ids(await records.query({ userId: 'dan' }))).toEqual(['call-0001']);
    expect(ids(await records.query({ userId: 'carol' }))).toEqual(['call-0001']);
  });

  it('saves, overwrites and deletes live calls; a restart loads them with persistedAt', async () => {
    const place = await backend.place();
    const first = await place.open();
    const before = Date.now();
    first.liveCalls.save(makeCall({ callId: 'call-aaaa' }));
    first.liveCalls.save(makeCall({ callId: 'call-bbbb' }));
    first.liveCalls.save(makeCall({ callId: 'call-cccc' }));
    await first.liveCalls.flush();
    first.liveCalls.save(makeCall({ callId: 'call-aaaa', state: 'active' }));
    first.liveCalls.delete('call-cccc');
    // Ending a call: its live row goes and its record comes, in one commit.
    first.liveCalls.delete('call-bbbb');
    first.records.add(makeRecord({ callId: 'call-bbbb' }));
    await first.close();
    const after = Date.now();

    const second = await place.open();
    const loaded = await second.liveCalls.loadAll();
    expect(loaded.map((call) => call.info)).toEqual([
      makeCall({ callId: 'call-aaaa', state: 'active' }),
    ]);
    expect(loaded[0]?.persistedAt).toBeGreaterThanOrEqual(before);
    expect(loaded[0]?.persistedAt).toBeLessThanOrEqual(after);
    expect(ids(await second.records.query({}))).toEqual(['call-bbbb']);
    // A row an earlier run left is deleted when its call ends.
    second.liveCalls.delete('call-aaaa');
    await second.close();
    expect(await (await place.open()).liveCalls.loadAll()).toEqual([]);
  });

  it('never writes a call that ends before its first commit', async () => {
    const { liveCalls } = await (await backend.place()).open();
    liveCalls.save(makeCall({ callId: 'call-short' }));
    liveCalls.delete('call-short');
    liveCalls.save(makeCall({ callId: 'call-kept' }));
    expect((await liveCalls.loadAll()).map((call) => call.info.callId)).toEqual(['call-kept']);
  });

  it('releases a commit ticket only once the writes before it are committed', async () => {
    const place = await backend.place();
    const stores = await place.open();
    const nothingPending = stores.commits.ticket();
    expect(stores.commits.isCommitted(nothingPending)).toBe(true);
    stores.liveCalls.save(makeCall({ callId: 'call-tick' }));
    const ticket = stores.commits.ticket();
    expect(stores.commits.isCommitted(ticket)).toBe(false);
    const released = await new Promise<number>((resolve) => {
      stores.commits.whenCommitted(ticket, () => {
        resolve(Date.now());
      });
    });
    expect(stores.commits.isCommitted(ticket)).toBe(true);
    expect(released).toBeGreaterThan(0);
    // What the ticket covered is in the store for anyone who reads it now, another node included.
    const other = await place.open();
    expect((await other.liveCalls.loadAll()).map((c) => c.info.callId)).toEqual(['call-tick']);
  });

  it('keeps undelivered webhooks with their step, removes settled ones, oldest first', async () => {
    const place = await backend.place();
    const first = await place.open();
    first.outbox.add('call-0001', endedWebhook('d-1', 'call-0001'));
    first.records.add(makeRecord({ callId: 'call-0001' }));
    first.outbox.add('call-0002', endedWebhook('d-2', 'call-0002'));
    first.outbox.add('call-0003', endedWebhook('d-3', 'call-0003'));
    await first.records.flush();
    first.outbox.remove('d-2');
    await first.close();
    const second = await place.open();
    expect((await second.outbox.loadAll()).map((entry) => entry.deliveryId)).toEqual([
      'd-1',
      'd-3',
    ]);
    expect(await second.outbox.loadAll()).toContainEqual(endedWebhook('d-3', 'call-0003'));
  });
});
