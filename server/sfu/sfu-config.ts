import os from 'node:os';
import { z } from 'zod';

/**
 * SFU settings. Only `connectTimeoutMs` usually comes from elsewhere (the server's
 * `calls.connectTimeoutMs`); everything else has a default that suits a single host.
 */
export const sfuConfigSchema = z
  .object({
    /** mediasoup workers (one process and one CPU each). */
    workers: z
      .number()
      .int()
      .min(1)
      .max(256)
      .default(() => os.availableParallelism()),
    /** Local address the WebRTC transports bind to. */
    listenIp: z.string().min(1).default('127.0.0.1'),
    /** Address put into ICE candidates instead of `listenIp` (behind NAT, in containers). */
    announcedIp: z.string().min(1).optional(),
    rtcMinPort: z.number().int().min(1024).max(65535).default(40000),
    rtcMaxPort: z.number().int().min(1024).max(65535).default(49999),
    /** After a call turns active, at least two participants must have connected media by then. */
    connectTimeoutMs: z.number().int().min(100).default(30_000),
    /** Sockets that have not joined by then are closed. */
    authTimeoutMs: z.number().int().min(100).default(10_000),
    /** Frames larger than this get `payload-too-large`. */
    maxFrameBytes: z
      .number()
      .int()
      .min(1024)
      .default(64 * 1024),
    /** Token bucket per socket: sustained requests per second and burst. */
    rateLimitPerSec: z.number().min(1).default(50),
    rateLimitBurst: z.number().int().min(1).default(100),
    /** Ping period; a socket that has not answered for two periods is dropped. */
    heartbeatIntervalMs: z.number().int().min(100).default(15_000),
    /**
     * A peer's request waits this long for the media worker; then it gets `internal` and the
     * socket's next requests go on (the worker may never answer what it could not parse).
     */
    requestTimeoutMs: z.number().int().min(100).default(10_000),
    /** How often each peer gets `transport.quality` for each of its transports. */
    statsIntervalMs: z.number().int().min(100).default(5_000),
  })
  .refine((c) => c.rtcMinPort <= c.rtcMaxPort, {
    message: 'rtcMinPort must not be above rtcMaxPort',
    path: ['rtcMaxPort'],
  });

export type SfuConfig = z.infer<typeof sfuConfigSchema>;
/** Any subset of the settings, validated like a file. */
export type SfuConfigInput = z.input<typeof sfuConfigSchema>;
