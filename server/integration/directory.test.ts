import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scenario, rejection } from './support.js';

let s: Scenario;
beforeEach(async () => {
  s = await Scenario.start({}, []);
  const users = s.t.server.services.stores.users;
  for (const [userId, displayName] of [
    ['alice', 'Alice Liddell'],
    ['alan', 'Alan Turing'],
    ['bob', 'Bob Dylan'],
    ['mallory', 'Mallory Knox'],
    ['grace', 'Grace Hopper (alice fan)'],
    ['under_score', '100% Pure'],
  ] as const) {
    await users.create({ userId, displayName });
  }
  await users.setDisabled('mallory', true);
});
afterEach(async () => {
  await s.dispose();
});

const ids = (result: { users: { userId: string }[] }): string[] =>
  result.users.map((u) => u.userId);

describe('directory.search', () => {
  it('finds users by id or display name, case-insensitively, best matches first', async () => {
    const bob = await s.signIn('bob');
    // Exact id, then prefixes (by display name), then substrings.
    expect(ids(await bob.request('directory.search', { query: 'alice' }))).toEqual([
      'alice',
      'grace',
    ]);
    expect(ids(await bob.request('directory.search', { query: 'AL' }))).toEqual([
      'alan',
      'alice',
      'grace',
    ]);
    expect(await bob.request('directory.search', { query: 'turing' })).toEqual({
      users: [{ userId: 'alan', displayName: 'Alan Turing' }],
    });
    // The searcher finds themself too: only disabled accounts are left out.
    expect(ids(await bob.request('directory.search', { query: 'bob' }))).toEqual(['bob']);
  });

  it('leaves out disabled accounts', async () => {
    const bob = await s.signIn('bob');
    expect(ids(await bob.request('directory.search', { query: 'mallory' }))).toEqual([]);
    expect(ids(await bob.request('directory.search', { query: 'knox' }))).toEqual([]);
    await s.t.server.services.stores.users.setDisabled('mallory', false);
    expect(ids(await bob.request('directory.search', { query: 'knox' }))).toEqual(['mallory']);
  });

  it('treats LIKE wildcards in the query as plain characters', async () => {
    const bob = await s.signIn('bob');
    expect(ids(await bob.request('directory.search', { query: '%' }))).toEqual(['under_score']);
    expect(ids(await bob.request('directory.search', { query: '_' }))).toEqual(['under_score']);
  });

  it('lists everyone enabled for an empty query, capped by the limit', async () => {
    const bob = await s.signIn('bob');
    expect(ids(await bob.request('directory.search', { query: '' }))).toEqual([
      'under_score',
      'alan',
      'alice',
      'bob',
      'grace',
    ]);
    expect(ids(await bob.request('directory.search', { query: '', limit: 2 }))).toEqual([
      'under_score',
      'alan',
    ]);
  });

  it('refuses limits above the cap and oversized queries', async () => {
    const bob = await s.signIn('bob');
    await rejection(bob.request('directory.search', { query: 'a', limit: 101 }), 'bad-request');
    await rejection(bob.request('directory.search', { query: 'a'.repeat(101) }), 'bad-request');
  });
});
