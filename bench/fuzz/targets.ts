import { parseSfuServerFrame } from '../../server/sfu/sfu-frames.js';
import { FuzzConnection } from '../../server/testing/fuzz-connection.js';
import { type Planned, Rng } from '../../server/testing/fuzz-json.js';
import {
  fixedHttpCases,
  randomHttpCase,
  traversalTargets,
} from '../../server/testing/http-fuzz-cases.js';
import { rawExchange } from '../../server/testing/raw-http.js';
import { SfuFrameFactory, type SfuKnown } from '../../server/testing/sfu-fuzz-frames.js';
import { FrameFactory } from '../../server/testing/signaling-fuzz-frames.js';
import { TestClient } from '../../server/testing/test-client.js';

/** What one round against one target did: frames, answers by code, and anything wrong. */
export interface RoundResult {
  frames: number;
  /** `ok`, an error code, or an HTTP status. */
  outcomes: Map<string, number>;
  /** Unanswered frames, double answers, `internal`, closed sockets, 5xx, leaks: must stay empty. */
  problems: string[];
}

export interface FuzzTarget {
  port: number;
  wsUrl: string;
  token(userId: string): Promise<string>;
  /** The text of a file beside the web root: a response containing it is a leak. */
  secret: string;
}

export const SIGNALING_USERS = ['fz-u0', 'fz-u1', 'fz-u2', 'fz-u3', 'fz-u4', 'fz-off'];

const add = (into: Map<string, number>, from: Map<string, number>): void => {
  for (const [k, n] of from) into.set(k, (into.get(k) ?? 0) + n);
};

/** The accounting every fuzz connection keeps, as problems. */
function problemsOf(c: FuzzConnection, closeIsProblem: boolean): string[] {
  const found: string[] = [];
  const note = (what: string, list: unknown[]): void => {
    if (list.length > 0) found.push(`${c.name} ${what}: ${JSON.stringify(list.slice(0, 3))}`);
  };
  if (closeIsProblem && c.closeCode !== undefined) found.push(`${c.name} closed ${c.closeCode}`);
  note('unanswered', c.missing());
  note('answered twice', c.duplicates);
  note('unknown id', c.unexpected);
  note('wrong code', c.wrongCodes);
  note('invalid frame', c.invalidFrames);
  note('internal', c.internalErrors);
  return found;
}

/** Seeded frames on /ws: six signed-in connections (fz-u0 twice) and three anonymous ones. */
export async function signalingRound(
  target: FuzzTarget,
  seed: number,
  frames: number,
): Promise<RoundResult> {
  const signedIn: FuzzConnection[] = [];
  for (const [i, userId] of [...SIGNALING_USERS.slice(0, 5), 'fz-u0'].entries()) {
    const c = await FuzzConnection.open(target.wsUrl, `${userId}#${i}`);
    await c.hello(await target.token(userId), `fz-device-${i}`);
    signedIn.push(c);
  }
  const anonymous = await Promise.all(
    [0, 1, 2].map((i) => FuzzConnection.open(target.wsUrl, `anonymous#${i}`)),
  );
  const all = [...signedIn, ...anonymous];
  const rng = new Rng(seed);
  const factory = new FrameFactory(rng);
  const plans = all.map((): Planned[] => []);
  for (let i = 0; i < frames; i++) {
    const frame = factory.anyFrame();
    const to =
      frame.kind === 'call-step' && rng.chance(0.9)
        ? rng.int(signedIn.length)
        : rng.int(all.length);
    plans[to]?.push(frame);
  }
  await Promise.all(all.map((c, i) => c.run(plans[i] ?? [])));
  await Promise.all(all.map((c) => c.settled(15_000)));
  const outcomes = new Map<string, number>();
  const problems: string[] = [];
  for (const c of all) {
    add(outcomes, c.outcomes);
    problems.push(...problemsOf(c, true));
    if (c.received !== c.sent) problems.push(`${c.name}: ${c.received} answers to ${c.sent}`);
    c.socket.close();
  }
  return { frames, outcomes, problems };
}

/** A real active call between two users whose peers join the SFU and get fuzzed. */
export async function sfuRound(
  target: FuzzTarget,
  seed: number,
  framesPerPeer: number,
  [callerId, calleeId]: [string, string],
  callId: string,
): Promise<RoundResult> {
  const signIn = async (userId: string): Promise<TestClient> =>
    (
      await TestClient.signIn(target.wsUrl, await target.token(userId), {
        id: `sfu-fuzz-${userId}`,
      })
    ).client;
  const caller = await signIn(callerId);
  const callee = await signIn(calleeId);
  const problems: string[] = [];
  const outcomes = new Map<string, number>();
  try {
    await caller.request('call.invite', { callId, callees: [calleeId], media: 'video' });
    await callee.waitFor('call.incoming', (d) => d.call.callId === callId);
    await callee.request('call.accept', { callId });
    const peers = await Promise.all(
      [caller, callee].map(async (client, i) => {
        const { ticket, sfuUrl } = await client.request('media.ticket', { callId });
        const name = `${callId}/${i === 0 ? callerId : calleeId}`;
        const peer = await FuzzConnection.open(
          sfuUrl,
          name,
          (text) => parseSfuServerFrame(text).kind === 'event',
        );
        const joined = (await peer.request(`${name}-join`, 'join', { ticket })) as {
          routerRtpCapabilities: unknown;
        };
        const known: SfuKnown = {
          transportIds: [],
          producerIds: [],
          rtpCapabilities: joined.routerRtpCapabilities,
        };
        for (const direction of ['send', 'recv']) {
          const made = (await peer.request(`${name}-${direction}`, 'transport.create', {
            direction,
          })) as { id: string };
          known.transportIds.push(made.id);
        }
        return { peer, factory: new SfuFrameFactory(new Rng(seed + i), known) };
      }),
    );
    await Promise.all(
      peers.map(({ peer, factory }) => {
        peer.onAnswer = (planned, response) => {
          if (!response.ok) return;
          const sent: unknown = JSON.parse(planned.payload.toString('utf8'));
          const data = (sent as { data?: { producerId?: unknown } } | null)?.data;
          factory.learn(SfuFrameFactory.typeOf(planned), response.data, data?.producerId);
        };
        function* frames(): Generator<Planned> {
          for (let i = 0; i < framesPerPeer; i++) yield factory.next();
        }
        return peer.run(frames());
      }),
    );
    await Promise.all(peers.map(({ peer }) => peer.settled(15_000)));
    for (const { peer } of peers) {
      add(outcomes, peer.outcomes);
      problems.push(...problemsOf(peer, true));
      peer.socket.close();
    }
    await caller.request('call.hangup', { callId });
  } catch (error) {
    problems.push(`sfu round ${callId}: ${String(error)}`);
  } finally {
    await Promise.all([caller.close(), callee.close()]);
  }
  return { frames: 2 * framesPerPeer, outcomes, problems };
}

/** Malformed HTTP and upgrades over raw TCP, and traversal attempts on the static files. */
export async function httpRound(
  target: FuzzTarget,
  seed: number,
  randomCases: number,
): Promise<RoundResult> {
  const rng = new Rng(seed);
  const cases = [
    ...fixedHttpCases(),
    ...Array.from({ length: randomCases }, () => randomHttpCase(rng)),
    ...traversalTargets('secret.txt').map((t) => ({
      name: `traversal ${t}`,
      bytes: `GET ${t} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    })),
  ];
  const outcomes = new Map<string, number>();
  const problems: string[] = [];
  for (let i = 0; i < cases.length; i += 48) {
    await Promise.all(
      cases.slice(i, i + 48).map(async (c) => {
        const answer = await rawExchange(target.port, c.bytes, { waitMs: 1_200 });
        const statuses = [...answer.text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => m[1]);
        for (const s of statuses.length > 0 ? statuses : [answer.closed ? 'closed' : 'no-answer']) {
          const key = `http-${s ?? '?'}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        }
        if (statuses.some((s) => Number(s) >= 500)) problems.push(`${c.name}: 5xx`);
        if (answer.text.includes(target.secret)) problems.push(`${c.name}: served the secret`);
      }),
    );
  }
  return { frames: cases.length, outcomes, problems };
}
