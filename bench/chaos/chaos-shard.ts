import { playShard } from './chaos-run.js';
import { adminRequest, type ChaosTarget, readRecord } from './chaos-server.js';
import type { Ledger } from './ledger.js';
import type { FromShard, ToShard } from './shard-messages.js';

/**
 * One generator process of a sharded chaos run (chaos-shards.ts forks it): its own population
 * and ledger against the shared server, told by the coordinator where the server listens, when
 * to start, when a kill wants an acknowledgement to aim at, and which kills happened.
 */

const tell = (message: FromShard | { type: 'fatal'; message: string }): void => {
  process.send?.(message);
};

/** The server as the coordinator last described it. */
class RemoteTarget implements ChaosTarget {
  constructor(
    public httpUrl: string,
    public wsUrl: string,
  ) {}

  admin(method: string, pathname: string, body?: unknown): Promise<Response> {
    return adminRequest(this.httpUrl, method, pathname, body);
  }

  record(callId: string) {
    return readRecord(this.httpUrl, callId);
  }
}

/** Resolvers waiting for the coordinator's next message of a type. */
const waiting = new Map<ToShard['type'], ((m: ToShard) => void)[]>();
const early: ToShard[] = [];
let target: RemoteTarget | undefined;
/** The ledger of the load in progress: a kill may be aimed at its next acknowledgement. */
let loadLedger: Ledger | undefined;

function nextMessage<T extends ToShard['type']>(type: T): Promise<Extract<ToShard, { type: T }>> {
  const index = early.findIndex((m) => m.type === type);
  if (index >= 0)
    return Promise.resolve(early.splice(index, 1)[0] as Extract<ToShard, { type: T }>);
  return new Promise((resolve) => {
    const list = waiting.get(type) ?? [];
    list.push(resolve as (m: ToShard) => void);
    waiting.set(type, list);
  });
}

async function play(start: Extract<ToShard, { type: 'start' }>): Promise<void> {
  target = new RemoteTarget(start.httpUrl, start.wsUrl);
  const remote = target;
  const result = await playShard(
    {
      ...start.options,
      log: (line) => {
        tell({ type: 'log', line });
      },
    },
    {
      target: remote,
      label: start.label,
      epoch: start.epoch,
      ready: async () => {
        tell({ type: 'populated' });
        await nextMessage('go');
      },
      startKills: (ledger) => {
        loadLedger = ledger;
        return {
          stop: () => {
            ledger.onAcknowledged = undefined;
            loadLedger = undefined;
            tell({ type: 'loadDone' });
          },
          done: nextMessage('kills').then((m) => m.kills),
        };
      },
      webhooks: async () => {
        tell({ type: 'wantWebhooks' });
        return (await nextMessage('webhooks')).webhooks;
      },
    },
  );
  tell({ type: 'result', result });
}

process.on('message', (raw) => {
  const message = raw as ToShard | { type: 'exit' };
  switch (message.type) {
    case 'exit':
      process.exit(0);
      return;
    case 'start':
      play(message).catch((error: unknown) => {
        tell({
          type: 'fatal',
          message: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
      });
      return;
    case 'server':
      if (target) {
        target.httpUrl = message.httpUrl;
        target.wsUrl = message.wsUrl;
      }
      return;
    case 'arm': {
      const ledger = loadLedger;
      if (ledger)
        ledger.onAcknowledged = () => {
          ledger.onAcknowledged = undefined;
          tell({ type: 'acked' });
        };
      return;
    }
    case 'disarm':
      if (loadLedger) loadLedger.onAcknowledged = undefined;
      return;
    case 'go':
    case 'kills':
    case 'webhooks': {
      const list = waiting.get(message.type);
      const resolve = list?.shift();
      if (resolve) resolve(message);
      else early.push(message);
    }
  }
});
// The coordinator is gone: nothing left to do.
process.on('disconnect', () => {
  process.exit(0);
});
