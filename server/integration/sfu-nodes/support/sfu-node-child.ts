/**
 * An SFU node in a process of its own (`startSfuNode`, what `serve --role sfu` runs), for the
 * sfu-nodes suite. Its configuration comes in SFU_NODE_CONFIG (JSON). Over the IPC channel it
 * says `ready` and answers the test's probes: what no client without a browser can do from
 * outside (a plain RTP transport for a peer, a transport's DTLS `connected`), and its rooms.
 */
import { loadConfig } from '../../../config.js';
import { silentLogger } from '../../../logger.js';
import { startSfuNode } from '../../../sfu-node/sfu-node.js';
import { type ChildProbe, childProbeSchema } from './probes.js';

const config = loadConfig({
  overrides: { ...(JSON.parse(process.env.SFU_NODE_CONFIG ?? '{}') as object), role: 'sfu' },
});
const node = await startSfuNode({ config, logger: silentLogger() });
const reply = (message: object): void => {
  process.send?.(message);
};

async function answer(probe: ChildProbe): Promise<unknown> {
  const room = node.sfu.roomOf(probe.callId ?? '');
  const peer = room?.peer(probe.userId ?? '');
  switch (probe.op) {
    case 'load':
      return node.sfu.load();
    case 'room':
      return room ? room.userIds() : null;
    case 'plain': {
      if (!room || !peer) throw new Error('no such peer');
      const plain = await room.createPlainTransportForTesting(peer, 'send');
      return { transportId: plain.id, ip: plain.tuple.localIp, port: plain.tuple.localPort };
    }
    case 'dtls-connected': {
      const transport = peer?.transports.get(probe.transportId ?? '')?.webRtc;
      if (!transport) throw new Error('no such transport');
      transport.emit('dtlsstatechange', 'connected');
      return true;
    }
  }
}

process.on('message', (message: unknown) => {
  const probe = childProbeSchema.parse(message);
  answer(probe).then(
    (result) => {
      reply({ reqId: probe.reqId, result });
    },
    (error: unknown) => {
      reply({ reqId: probe.reqId, error: error instanceof Error ? error.message : String(error) });
    },
  );
});
process.on('SIGTERM', () => {
  void node.close().then(() => process.exit(0));
});
reply({ type: 'ready', id: node.id, url: node.publicUrl });
