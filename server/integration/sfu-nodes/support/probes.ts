import { z } from 'zod';

/** What the suite asks an SFU node child process (see sfu-node-child.ts). */
export const childProbeSchema = z.object({
  reqId: z.number(),
  op: z.enum(['load', 'room', 'plain', 'dtls-connected']),
  callId: z.string().optional(),
  userId: z.string().optional(),
  transportId: z.string().optional(),
});
export type ChildProbe = z.infer<typeof childProbeSchema>;

export const childAnswerSchema = z.union([
  z.object({ type: z.literal('ready'), id: z.string(), url: z.string() }),
  z.object({ reqId: z.number(), result: z.unknown().optional(), error: z.string().optional() }),
]);
