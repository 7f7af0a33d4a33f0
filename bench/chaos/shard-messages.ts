import type { ReceivedWebhook } from '../../server/webhooks/receiver.test-helper.js';
import type { ChaosOptions, ShardResult } from './chaos-run.js';
import type { Kill } from './chaos-server.js';

/** A shard's options: the run's, minus what cannot cross a process boundary. */
export type ShardOptions = Omit<ChaosOptions, 'log'>;

/** From the coordinator to a shard (chaos-shards.ts → chaos-shard.ts). */
export type ToShard =
  | {
      type: 'start';
      options: ShardOptions;
      label: string;
      epoch: number;
      httpUrl: string;
      wsUrl: string;
    }
  /** Every shard is populated: start the load. */
  | { type: 'go' }
  /** The server restarted and listens here now. */
  | { type: 'server'; httpUrl: string; wsUrl: string }
  /** Report your next acknowledgement (a kill is aimed at it); `disarm`: no longer. */
  | { type: 'arm' }
  | { type: 'disarm' }
  /** Every shard's load is over and so is the kill schedule: these are the kills. */
  | { type: 'kills'; kills: Kill[] }
  | { type: 'webhooks'; webhooks: ReceivedWebhook[] };

/** From a shard to the coordinator. */
export type FromShard =
  | { type: 'populated' }
  | { type: 'acked' }
  | { type: 'loadDone' }
  | { type: 'wantWebhooks' }
  | { type: 'log'; line: string }
  | { type: 'result'; result: ShardResult };
