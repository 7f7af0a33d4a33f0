import os from 'node:os';
import { z } from 'zod';

/**
 * SFU settings. Only `connectTimeoutMs` usually comes from elsewhere (the server's
 * `calls.connectTimeoutMs`); everything else has a default that suits a single host.
 */
export const sfuConfigSchema = z
  .object({
    workers: z
      .number()
      .int()
      .min(1)
      .max(256)
      .default(() => os.availableParallelism())
      .describe('mediasoup workers (one process and one CPU each).')
      // The default depends on the machine: the generated reference says so in words.
      .meta({ defaultText: 'one per CPU (`os.availableParallelism()`)' }),
    listenIp: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('Local address the WebRTC transports bind to.'),
    announcedIp: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Address put into ICE candidates instead of `listenIp` (behind NAT, in containers); unset: `listenIp`.',
      ),
    rtcMinPort: z
      .number()
      .int()
      .min(1024)
      .max(65535)
      .default(40000)
      .describe('Lowest UDP/TCP port of the WebRTC transports (open the range in the firewall).'),
    rtcMaxPort: z
      .number()
      .int()
      .min(1024)
      .max(65535)
      .default(49999)
      .describe('Highest port of that range; not below `rtcMinPort`.'),
    connectTimeoutMs: z
      .number()
      .int()
      .min(100)
      .default(30_000)
      .describe(
        'After a call turns active, at least two participants must have connected media by then. The server sets it from `calls.connectTimeoutMs`.',
      ),
    authTimeoutMs: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe('`/sfu` sockets that have not joined by then are closed (4001).'),
    maxFrameBytes: z
      .number()
      .int()
      .min(1024)
      .default(64 * 1024)
      .describe('`/sfu` frames larger than this get `payload-too-large`.'),
    rateLimitPerSec: z
      .number()
      .min(1)
      .default(50)
      .describe('Token bucket per `/sfu` socket: sustained requests a second.'),
    rateLimitBurst: z
      .number()
      .int()
      .min(1)
      .default(100)
      .describe('Token bucket per `/sfu` socket: requests at once.'),
    heartbeatIntervalMs: z
      .number()
      .int()
      .min(100)
      .default(15_000)
      .describe(
        'Ping period of `/sfu` sockets; one that has not answered for two periods is dropped.',
      ),
    requestTimeoutMs: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe(
        'An SFU request waits this long for the media worker; then it gets `internal` and the socket’s next requests go on.',
      ),
    statsIntervalMs: z
      .number()
      .int()
      .min(100)
      .default(5_000)
      .describe('How often each peer gets `transport.quality` for each of its transports.'),
  })
  .refine((c) => c.rtcMinPort <= c.rtcMaxPort, {
    message: 'rtcMinPort must not be above rtcMaxPort',
    path: ['rtcMaxPort'],
  });

export type SfuConfig = z.infer<typeof sfuConfigSchema>;
/** Any subset of the settings, validated like a file. */
export type SfuConfigInput = z.input<typeof sfuConfigSchema>;
