import { expect, it } from 'vitest';
import { queueConfigSchema } from '../../../protocol/index.js';
import { describeStoreContract } from './backends.js';

const queue = (name: string, extra: Record<string, unknown> = {}) =>
  queueConfigSchema.parse({ name, strategy: 'longest-idle', ...extra });

describeStoreContract('contact-center store', (backend) => {
  it('saves queues, members and supervisors, and reads them back after a reopen', async () => {
    const place = await backend.place();
    const first = await place.open();
    const cc = first.contactCenter;
    await cc.saveQueue(queue('support'));
    await cc.saveQueue(queue('billing'));
    await cc.setMember('support', { userId: 'zoe', tier: 2, skill: 7 });
    await cc.setMember('support', { userId: 'amy', tier: 1, skill: 5 });
    await cc.setMember('support', { userId: 'zoe', tier: 1, skill: 9 });
    await cc.setSupervisor('support', 'sam', true);
    await cc.setSupervisor('support', 'sam', true);
    await cc.setSupervisor('billing', 'sue', true);
    await cc.setAutoAnswer('amy', true);
    await first.close();

    const { contactCenter } = await place.open();
    const queues = await contactCenter.listQueues();
    expect(queues.map((q) => q.config.name)).toEqual(['billing', 'support']);
    const support = await contactCenter.getQueue('support');
    expect(support?.config).toEqual(queue('support'));
    expect(support?.members).toEqual([
      { userId: 'amy', tier: 1, skill: 5 },
      { userId: 'zoe', tier: 1, skill: 9 },
    ]);
    expect(support?.supervisors).toEqual(['sam']);
    expect(await contactCenter.getQueue('nope')).toBeUndefined();
    expect(await contactCenter.getAutoAnswer('amy')).toBe(true);
    expect(await contactCenter.getAutoAnswer('zoe')).toBe(false);
  });

  it('replaces a configuration but keeps its members; deletes a queue with them', async () => {
    const { contactCenter: cc } = await (await backend.place()).open();
    await cc.saveQueue(queue('support'));
    await cc.setMember('support', { userId: 'amy', tier: 1, skill: 5 });
    const changed = queue('support', { strategy: 'round-robin' });
    await cc.saveQueue(changed);
    expect((await cc.getQueue('support'))?.config).toEqual(changed);
    expect((await cc.getQueue('support'))?.members).toHaveLength(1);
    expect(await cc.removeMember('support', 'amy')).toBe(true);
    expect(await cc.removeMember('support', 'amy')).toBe(false);
    await cc.setSupervisor('support', 'sam', true);
    await cc.setSupervisor('support', 'sam', false);
    expect((await cc.getQueue('support'))?.supervisors).toEqual([]);
    await cc.setMember('support', { userId: 'bob', tier: 1, skill: 5 });
    expect(await cc.deleteQueue('support')).toBe(true);
    expect(await cc.deleteQueue('support')).toBe(false);
    await cc.saveQueue(queue('support'));
    expect((await cc.getQueue('support'))?.members).toEqual([]);
    await cc.setAutoAnswer('amy', true);
    await cc.setAutoAnswer('amy', false);
    expect(await cc.getAutoAnswer('amy')).toBe(false);
  });
});
