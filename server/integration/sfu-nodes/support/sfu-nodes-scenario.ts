import type { SfuRequestResult } from '../../../../protocol/index.js';
import { RedisInstance } from '../../../testing/redis-instance.js';
import type { ServerConfigInput } from '../../../config.js';
import { RemoteMediaPlane } from '../../../sfu-node/remote-media-plane.js';
import type { TestClient } from '../../../testing/test-client.js';
import { SfuTestClient } from '../../../sfu/testing/sfu-test-client.js';
import { Scenario, eventually } from '../../support.js';
import { SfuNodeProcess } from './sfu-node-process.js';

export const TICKET_SECRET = 'sfu-nodes-ticket-secret-0123456789abcdef';
export const HEARTBEAT_MS = 200;
export const REGISTRATION_TTL_MS = 600;

/**
 * A private Redis, SFU nodes in child processes, and a signaling server (`role: signaling`) in
 * this process whose calls get their media on those nodes.
 */
export class SfuNodesScenario {
  readonly nodes = new Map<string, SfuNodeProcess>();
  private readonly media: SfuTestClient[] = [];

  private constructor(
    readonly redis: RedisInstance,
    readonly s: Scenario,
  ) {}

  static async start(
    nodeIds: readonly string[],
    userIds: readonly string[],
    config: ServerConfigInput = {},
  ): Promise<SfuNodesScenario> {
    const redis = await RedisInstance.start();
    const shared = {
      sfuNodes: {
        redisUrl: redis.url,
        ticketSecret: TICKET_SECRET,
        heartbeatIntervalMs: HEARTBEAT_MS,
        registrationTtlMs: REGISTRATION_TTL_MS,
      },
      calls: { connectTimeoutMs: 10_000, ...config.calls },
    };
    const nodes = await Promise.all(nodeIds.map((id) => SfuNodeProcess.start(id, shared)));
    const s = await Scenario.start({ ...config, ...shared, role: 'signaling' }, userIds);
    const scenario = new SfuNodesScenario(redis, s);
    for (const node of nodes) scenario.nodes.set(node.id, node);
    await eventually(() => scenario.plane().nodes().length === nodes.length);
    return scenario;
  }

  /** The signaling server's media plane (the SFU nodes it knows, where calls are placed). */
  plane(): RemoteMediaPlane {
    const plane = this.s.t.server.services.mediaTickets;
    if (!(plane instanceof RemoteMediaPlane)) throw new Error('no remote media plane');
    return plane;
  }

  node(id: string): SfuNodeProcess {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no sfu node ${id}`);
    return node;
  }

  /** The node a call's room is placed on. */
  nodeOf(callId: string): SfuNodeProcess {
    const id = this.plane().nodeOf(callId);
    if (id === undefined) throw new Error(`call ${callId} is placed nowhere`);
    return this.node(id);
  }

  /** The user's media ticket and a join with it at the URL it names. */
  async joinMedia(
    client: TestClient,
    callId: string,
  ): Promise<{ media: SfuTestClient; sfuUrl: string; joined: SfuRequestResult<'join'> }> {
    const { ticket, sfuUrl } = await client.request('media.ticket', { callId });
    const { client: media, joined } = await SfuTestClient.join(sfuUrl, ticket);
    this.media.push(media);
    return { media, sfuUrl, joined };
  }

  /** Joins and plays DTLS `connected` on a send transport (no browser finishes DTLS here). */
  async connectMedia(client: TestClient, callId: string, userId: string): Promise<SfuTestClient> {
    const { media } = await this.joinMedia(client, callId);
    const { id } = await media.request('transport.create', { direction: 'send' });
    await this.nodeOf(callId).probe({ op: 'dtls-connected', callId, userId, transportId: id });
    return media;
  }

  /**
   * What the client does when its SFU socket is gone (renderer/media/media-session.ts `rejoin`):
   * a fresh ticket and a join at the URL it names, up to 5 attempts 250 ms × 2ⁿ apart; then
   * DTLS `connected` played on the node it got to.
   */
  async rejoinLikeTheClient(
    client: TestClient,
    callId: string,
    userId: string,
  ): Promise<{ media: SfuTestClient; sfuUrl: string; attempts: number }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const { media, sfuUrl } = await this.joinMedia(client, callId);
        const { id } = await media.request('transport.create', { direction: 'send' });
        await this.nodeOf(callId).probe({ op: 'dtls-connected', callId, userId, transportId: id });
        return { media, sfuUrl, attempts: attempt + 1 };
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
      }
    }
    throw new Error(`${userId} could not rejoin the media of ${callId}`);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.media.splice(0).map((m) => m.close()));
    await this.s.dispose();
    await Promise.all([...this.nodes.values()].map((n) => n.stop()));
    await this.redis.stop();
  }
}
