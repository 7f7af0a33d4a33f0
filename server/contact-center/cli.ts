import {
  queueConfigPatchSchema,
  queueConfigSchema,
  queueMemberSchema,
  queueNameSchema,
  userIdSchema,
} from '../../protocol/index.js';
import type { Stores } from '../store/types.js';

export interface QueueCliValues {
  strategy?: string;
  tier?: string;
  skill?: string;
  /** `key=value` settings (numbers where the setting is one; `overflowTo=none` removes it). */
  set?: string[];
}

export const QUEUE_USAGE = [
  'queue list',
  'queue add NAME --strategy longest-idle|round-robin|ring-all|fewest-calls|tiers [--set KEY=VALUE...]',
  'queue set NAME --set KEY=VALUE... (offerTimeoutMs, maxWaitMs, overflowTo, afterCallWorkMs,',
  '  maxNoAnswers, escalateAfterMs, serviceLevelMs, displayName, strategy; overflowTo=none)',
  'queue remove NAME',
  'queue agent add|remove QUEUE USER [--tier 1-9] [--skill 1-10]',
  'queue supervisor add|remove QUEUE USER',
].join('\n  ');

/** `KEY=VALUE` pairs into an object: digits become numbers, `none` becomes null. */
function settings(pairs: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--set ${pair}: use KEY=VALUE`);
    const value = pair.slice(at + 1);
    out[pair.slice(0, at)] = /^\d+$/.test(value) ? Number(value) : value === 'none' ? null : value;
  }
  return out;
}

const issues = (error: { issues: { path: PropertyKey[]; message: string }[] }): string =>
  error.issues.map((i) => `${i.path.map(String).join('.') || '(value)'}: ${i.message}`).join('; ');

/**
 * The `queue` command of the server CLI, on the database directly. A running server reads queues
 * at start: change a live server through the admin API (`/admin/queues`) instead.
 */
export async function queueCommand(
  stores: Stores,
  args: readonly string[],
  values: QueueCliValues,
  say: (line: string) => void,
): Promise<void> {
  const store = stores.contactCenter;
  const [verb, ...rest] = args;
  const name = (raw: string | undefined): string => {
    const parsed = queueNameSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`give a valid queue name (${issues(parsed.error)})`);
    return parsed.data;
  };
  const existing = async (raw: string | undefined) => {
    const queue = await store.getQueue(name(raw));
    if (!queue) throw new Error(`no such queue: ${raw ?? ''}`);
    return queue;
  };
  switch (verb) {
    case 'list': {
      for (const q of await store.listQueues()) {
        const agents = q.members.map((m) => `${m.userId}(t${m.tier}/s${m.skill})`).join(',');
        say(
          `${q.config.name}\t${q.config.strategy}\tagents=${agents || '-'}\t` +
            `supervisors=${q.supervisors.join(',') || '-'}\t${JSON.stringify(q.config)}`,
        );
      }
      return;
    }
    case 'add': {
      // `none` means "not set" when creating.
      const given = Object.entries(settings(values.set)).filter(([, v]) => v !== null);
      const input = {
        ...Object.fromEntries(given),
        name: name(rest[0]),
        strategy: values.strategy,
      };
      const parsed = queueConfigSchema.safeParse(input);
      if (!parsed.success) throw new Error(issues(parsed.error));
      if (await store.getQueue(parsed.data.name)) throw new Error('queue exists');
      await store.saveQueue(parsed.data);
      say(`created queue ${parsed.data.name}`);
      return;
    }
    case 'set': {
      const queue = await existing(rest[0]);
      const patch = queueConfigPatchSchema.safeParse({
        ...settings(values.set),
        ...(values.strategy ? { strategy: values.strategy } : {}),
      });
      if (!patch.success) throw new Error(issues(patch.error));
      const { overflowTo, ...changes } = patch.data;
      const merged: Record<string, unknown> = { ...queue.config, ...changes };
      if (overflowTo === null) delete merged.overflowTo;
      else if (overflowTo !== undefined) merged.overflowTo = overflowTo;
      const config = queueConfigSchema.parse(merged);
      await store.saveQueue(config);
      say(`queue ${config.name}: ${JSON.stringify(config)}`);
      return;
    }
    case 'remove': {
      const queueName = name(rest[0]);
      if (!(await store.deleteQueue(queueName))) throw new Error(`no such queue: ${queueName}`);
      say(`removed queue ${queueName}`);
      return;
    }
    case 'agent':
    case 'supervisor': {
      const [action, rawQueue, rawUser] = rest;
      const queue = await existing(rawQueue);
      const user = userIdSchema.safeParse(rawUser);
      if (!user.success) throw new Error(`give a valid user id (${issues(user.error)})`);
      const userId = user.data;
      if (action !== 'add' && action !== 'remove') throw new Error(`usage:\n  ${QUEUE_USAGE}`);
      if (verb === 'supervisor') {
        await store.setSupervisor(queue.config.name, userId, action === 'add');
      } else if (action === 'add') {
        const member = queueMemberSchema.safeParse({
          userId,
          ...(values.tier ? { tier: Number(values.tier) } : {}),
          ...(values.skill ? { skill: Number(values.skill) } : {}),
        });
        if (!member.success) throw new Error(issues(member.error));
        await store.setMember(queue.config.name, member.data);
      } else await store.removeMember(queue.config.name, userId);
      say(
        `${verb} ${userId} ${action === 'add' ? 'added to' : 'removed from'} ${queue.config.name}`,
      );
      return;
    }
    case undefined:
    default:
      throw new Error(`usage:\n  ${QUEUE_USAGE}`);
  }
}
