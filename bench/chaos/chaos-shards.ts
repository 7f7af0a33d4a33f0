import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReceiver } from '../../server/webhooks/receiver.test-helper.js';
import { ForkedChild } from '../support/forked-child.js';
import {
  CHAOS_WEBHOOK_SECRET,
  type ChaosOptions,
  type ChaosReport,
  chaosServerOptions,
  killOptions,
  summarize,
} from './chaos-run.js';
import { ChaosServer } from './chaos-server.js';
import { type AcknowledgementWatch, scheduleKills } from './faults.js';
import { Rng } from './rng.js';
import type { FromShard, ShardOptions, ToShard } from './shard-messages.js';

const SHARD_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'chaos-shard.ts');

type Shard = ForkedChild<{ to: ToShard; from: FromShard }>;

/**
 * A chaos run whose load comes from `shards` generator processes (chaos-shard.ts), for rates
 * one process cannot drive: each has its own slice of the users, rate and faults, and its own
 * ledger, and checks its own calls' invariants; this process owns the server, the webhook
 * receiver and the kills, aimed at the first acknowledgement any shard reports once armed.
 */
export async function runShardedChaos(options: ChaosOptions, shards: number): Promise<ChaosReport> {
  const startedAt = Date.now();
  options.log(`chaos: seed ${options.seed}, ${shards} generator processes`);
  const receiver = await startReceiver({ secret: CHAOS_WEBHOOK_SECRET });
  const server = await ChaosServer.start(chaosServerOptions(options, receiver.url));
  const children: Shard[] = Array.from({ length: shards }, (_, i) => startShard(i));
  const broadcast = (message: ToShard): void => {
    for (const child of children) child.send(message);
  };
  let onAck: (() => void) | undefined;
  try {
    children.forEach((child, i) => {
      child.on('log', (m) => {
        options.log(m.line);
      });
      child.on('acked', () => onAck?.());
      child.on('wantWebhooks', () => {
        child.send({ type: 'webhooks', webhooks: receiver.received });
      });
      child.send({
        type: 'start',
        options: shardOptions(options, i, shards),
        label: `s${i}-`,
        epoch: startedAt,
        httpUrl: server.httpUrl,
        wsUrl: server.wsUrl,
      });
    });
    await Promise.all(children.map((c) => c.next('populated', 120_000)));
    broadcast({ type: 'go' });

    const nextAcknowledgement: AcknowledgementWatch = (timeoutMs) =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(fallback);
          onAck = undefined;
          broadcast({ type: 'disarm' });
          resolve();
        };
        const fallback = setTimeout(done, timeoutMs);
        onAck = done;
        broadcast({ type: 'arm' });
      });
    const kills = scheduleKills(
      server,
      nextAcknowledgement,
      new Rng(options.seed ^ 0x4b1),
      killOptions(options),
      options.log,
      () => {
        broadcast({ type: 'server', httpUrl: server.httpUrl, wsUrl: server.wsUrl });
      },
    );
    await Promise.all(children.map((c) => c.next('loadDone', options.durationMs + 60_000)));
    kills.stop();
    broadcast({ type: 'kills', kills: await kills.done });
    const results = await Promise.all(children.map((c) => c.next('result', 300_000)));
    return summarize(
      options,
      results.map((r) => r.result),
      server.kills,
      startedAt,
    );
  } finally {
    await Promise.all(children.map((c) => c.stop(15_000)));
    await server.stop();
    await receiver.close();
  }
}

function startShard(index: number): Shard {
  const child = fork(SHARD_FILE, [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new ForkedChild(`chaos shard ${index}`, child);
}

/** Shard `index`'s slice: its share of the people, rate and faults, and seed of its own. */
function shardOptions(options: ChaosOptions, index: number, shards: number): ShardOptions {
  const share = (n: number) => Math.ceil(n / shards);
  // `log` stays here: functions do not cross the process boundary.
  const rest: Partial<ChaosOptions> = { ...options };
  delete rest.log;
  return {
    ...(rest as ShardOptions),
    seed: (options.seed + index * 7919) % 2 ** 31,
    users: share(options.users),
    offlineUsers: share(options.offlineUsers),
    agents: share(options.agents),
    rate: options.rate / shards,
    faultsPerSec: options.faultsPerSec / shards,
    maxAbandoned: share(options.maxAbandoned),
  };
}
