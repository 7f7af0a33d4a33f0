import { z } from 'zod';
import { userIdSchema } from './common.js';

/** HTTP API shapes: sign-in for clients, and the admin API for a business server. */
export const loginRequestSchema = z.object({
  userId: userIdSchema,
  password: z.string().min(1).max(1024),
});
/**
 * `POST /api/auth/refresh`, and sign-out (`/api/auth/logout`, `/api/auth/logout-all`). A refresh
 * rotates: the answer carries a new refresh token and the one sent is dead. Presenting a dead one
 * again revokes the whole sign-in (every token descended from its login) with 401.
 */
export const refreshRequestSchema = z.object({ refreshToken: z.string().min(1).max(4096) });
/** The answer to a sign-out: how many sign-ins it revoked (0 when already signed out). */
export const signOutResponseSchema = z.object({ revoked: z.number().int().nonnegative() });
export type SignOutResponse = z.infer<typeof signOutResponseSchema>;
export const tokenResponseSchema = z.object({
  userId: userIdSchema,
  displayName: z.string(),
  accessToken: z.string(),
  /** Epoch milliseconds. */
  accessTokenExpiresAt: z.number(),
  refreshToken: z.string(),
  refreshTokenExpiresAt: z.number(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export const passwordSchema = z.string().min(8, 'passwords have at least 8 characters').max(1024);

export const adminCreateUserSchema = z.object({
  userId: userIdSchema,
  displayName: z.string().min(1).max(100),
  /** Omit for users who only ever sign in with tokens minted by the business server. */
  password: passwordSchema.optional(),
});
export const adminUserSchema = z.object({
  userId: userIdSchema,
  displayName: z.string(),
  disabled: z.boolean(),
  createdAt: z.number(),
});
export type AdminUser = z.infer<typeof adminUserSchema>;
export const adminMintTokenSchema = z.object({
  ttlSeconds: z.number().int().min(60).max(86_400).optional(),
});
export const restErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
