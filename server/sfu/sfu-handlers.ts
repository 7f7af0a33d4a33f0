import type { SfuRequestData, SfuRequestType } from '../../protocol/index.js';
import type { Peer } from './peer.js';
import type { Room } from './room.js';

/** What a request's handling produced: the answer, and what follows it. */
export interface Outcome {
  data: unknown;
  /** After the answer went out (events that refer to it, closing the socket). */
  after?: () => void;
  /** The answer came too late and the peer was told `internal`: take back what was made. */
  undo?: () => void;
}

/** What a joined peer's request acts on. */
export interface SfuRequestContext {
  room: Room;
  peer: Peer;
  /** Takes the peer out of the room; the answer closes the socket. */
  leave(): Outcome;
}

/** Requests of a joined peer (`join` is the connection's own). */
export type JoinedRequestType = Exclude<SfuRequestType, 'join'>;

type SfuHandler<T extends JoinedRequestType> = (
  ctx: SfuRequestContext,
  data: SfuRequestData<T>,
) => Outcome | Promise<Outcome>;

const done = (): Outcome => ({ data: {} });

/** One handler per request type of a joined peer, like signaling's handler table. */
export const sfuHandlers: { [T in JoinedRequestType]: SfuHandler<T> } = {
  'transport.create': async ({ room, peer }, { direction, forceTcp }) => ({
    data: await room.createTransport(peer, direction, forceTcp ?? false),
  }),
  'transport.connect': async ({ room, peer }, { transportId, dtlsParameters }) => {
    await room.connectTransport(peer, transportId, dtlsParameters);
    return done();
  },
  'transport.restartIce': async ({ room, peer }, { transportId }) => ({
    data: await room.restartIce(peer, transportId),
  }),
  'consumer.ready': async ({ room, peer }, { rtpCapabilities }) => {
    await room.consumerReady(peer, rtpCapabilities);
    return done();
  },
  produce: async ({ room, peer }, data) => {
    const { producerId, muted } = await room.produce(peer, data);
    return {
      data: { producerId },
      // After the answer, so that the peer knows the producer it hears about.
      after: () => {
        if (muted) {
          peer.send('producer.paused', { producerId, userId: peer.userId, byModerator: true });
        }
      },
      // The peer never learnt this producer's id: it would send into the room unseen.
      undo: () => {
        room.closeProducer(peer, producerId);
      },
    };
  },
  'producer.pause': async ({ room, peer }, { producerId }) => {
    await room.pauseProducer(peer, producerId);
    return done();
  },
  'producer.resume': async ({ room, peer }, { producerId }) => {
    await room.resumeProducer(peer, producerId);
    return done();
  },
  'producer.close': ({ room, peer }, { producerId }) => {
    room.closeProducer(peer, producerId);
    return done();
  },
  'consumer.resume': async ({ room, peer }, { consumerId }) => {
    await room.resumeConsumer(peer, consumerId);
    return done();
  },
  leave: (ctx) => ctx.leave(),
};
