import { Worker } from 'node:worker_threads';

/**
 * UDP sinks the consumers' PlainTransports send to: a few sockets on 127.0.0.1 in a thread of
 * their own (so that reading hundreds of thousands of packets a second does not delay the RTP
 * sender's timer on the main thread), counting RTP and RTCP packets into shared memory.
 */

/** Plain JavaScript, evaluated as the thread's CommonJS entry: no TypeScript loader needed. */
const SINK_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const counts = new Int32Array(workerData.shared);
const sockets = [];
const ports = [];
let pending = workerData.sockets;
for (let i = 0; i < workerData.sockets; i++) {
  const rtp = 3 * i;
  const rtcp = rtp + 1;
  const probation = rtp + 2;
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: workerData.recvBufferBytes });
  socket.on('message', (msg) => {
    const b = msg[1];
    // RTCP packet types 192..223 sit where RTP has marker + payload type 64..95 (unused here).
    if (b >= 192 && b <= 223) counts[rtcp]++;
    // mediasoup's bandwidth probes: padding on SSRC 1234, not media.
    else if (msg.length >= 12 && msg.readUInt32BE(8) === 1234) counts[probation]++;
    else counts[rtp]++;
  });
  socket.on('error', () => {});
  socket.bind(0, '127.0.0.1', () => {
    ports[i] = socket.address().port;
    if (--pending === 0) {
      parentPort.postMessage({ ports, recvBufferBytes: socket.getRecvBufferSize() });
    }
  });
  sockets.push(socket);
}
parentPort.on('message', () => {
  for (const s of sockets) s.close();
  parentPort.close();
});
`;

export interface SinkCounts {
  /** Media RTP packets. */
  rtp: number;
  rtcp: number;
  /** mediasoup's bandwidth-estimation probation packets (SSRC 1234). */
  probation: number;
}

export class UdpSinks {
  private constructor(
    private readonly thread: Worker,
    private readonly counts: Int32Array,
    readonly ports: readonly number[],
    /** The receive buffer the kernel granted each socket (it doubles what is asked). */
    readonly recvBufferBytes: number,
  ) {}

  static async start(sockets: number, recvBufferBytes: number): Promise<UdpSinks> {
    const shared = new SharedArrayBuffer(sockets * 3 * Int32Array.BYTES_PER_ELEMENT);
    const thread = new Worker(SINK_THREAD, {
      eval: true,
      execArgv: [],
      workerData: { shared, sockets, recvBufferBytes },
    });
    const ready = await new Promise<{ ports: number[]; recvBufferBytes: number }>(
      (resolve, reject) => {
        thread.once('message', resolve);
        thread.once('error', reject);
        thread.once('exit', (code) => {
          reject(new Error(`sink thread exited (${code})`));
        });
      },
    );
    return new UdpSinks(thread, new Int32Array(shared), ready.ports, ready.recvBufferBytes);
  }

  /** The sink for the n-th consumer (round robin). */
  portFor(n: number): number {
    const port = this.ports[n % this.ports.length];
    if (port === undefined) throw new Error('no sink sockets');
    return port;
  }

  read(): SinkCounts {
    let rtp = 0;
    let rtcp = 0;
    let probation = 0;
    for (let i = 0; i < this.ports.length; i++) {
      rtp += Atomics.load(this.counts, 3 * i);
      rtcp += Atomics.load(this.counts, 3 * i + 1);
      probation += Atomics.load(this.counts, 3 * i + 2);
    }
    return { rtp, rtcp, probation };
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      this.thread.once('exit', () => {
        resolve();
      });
    });
    this.thread.postMessage('close');
    const timer = setTimeout(() => void this.thread.terminate(), 2_000);
    await exited;
    clearTimeout(timer);
  }
}
