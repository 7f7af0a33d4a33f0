import type pg from 'pg';
import type { UserId } from '../../../protocol/index.js';
import type { IssuedClaims } from '../../tokens.js';
import type { RevocationReason, RotationOutcome, SignInFamilyStore } from '../types.js';
import { inTransaction } from './pool.js';

/** How long after its last refresh token expired a family is kept (as in SQLite). */
const PRUNE_AFTER_MS = 86_400_000;

const REVOCATION_REASONS: readonly RevocationReason[] = [
  'signed-out',
  'signed-out-everywhere',
  'token-reused',
  'password-changed',
  'account-disabled',
];

function revocationReason(text: string): RevocationReason {
  const reason = REVOCATION_REASONS.find((known) => known === text);
  if (reason === undefined) throw new Error(`unknown revocation reason ${text}`);
  return reason;
}

interface FamilyRow {
  user_id: string;
  current_token_id: string;
  current_issued_at: number;
  previous_token_id: string | null;
  rotated_at: number;
  expires_at: number;
  revoked_reason: string | null;
}

/** For the user store, inside its own transaction (a password change, disabling). */
export async function revokeAllOfUser(
  client: pg.ClientBase | pg.Pool,
  userId: UserId,
  reason: RevocationReason,
): Promise<number> {
  const result = await client.query(
    `UPDATE refresh_families SET revoked_at = $1, revoked_reason = $2
     WHERE user_id = $3 AND revoked_at IS NULL`,
    [Date.now(), reason, userId],
  );
  return result.rowCount ?? 0;
}

/**
 * Sign-in families on PostgreSQL, with the SQLite store's semantics (refresh-families.ts there).
 * A rotation reads its family under `FOR UPDATE`, so two nodes exchanging the same token at once
 * take turns: one rotates, the other then sees the token it presented as the previous one
 * (`retried` within the grace) or as reused.
 */
export class PostgresSignInFamilies implements SignInFamilyStore {
  constructor(private readonly pool: pg.Pool) {}

  async start(family: { familyId: string; userId: UserId; token: IssuedClaims }): Promise<void> {
    const now = Date.now();
    const { tokenId, issuedAtSec, expiresAtSec } = family.token;
    // A sign-in is a good moment to drop families whose last token expired a day ago (unknown
    // families count as revoked).
    await this.pool.query('DELETE FROM refresh_families WHERE expires_at < $1', [
      now - PRUNE_AFTER_MS,
    ]);
    await this.pool.query(
      `INSERT INTO refresh_families (family_id, user_id, current_token_id, current_issued_at,
         created_at, rotated_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $5, $6) ON CONFLICT (family_id) DO NOTHING`,
      [family.familyId, family.userId, tokenId, issuedAtSec, now, expiresAtSec * 1000],
    );
  }

  rotate(
    familyId: string,
    userId: UserId,
    fromTokenId: string,
    to: IssuedClaims,
    graceMs: number,
  ): Promise<RotationOutcome> {
    return inTransaction(this.pool, async (client): Promise<RotationOutcome> => {
      const { rows } = await client.query<FamilyRow>(
        `SELECT user_id, current_token_id, current_issued_at, previous_token_id, rotated_at,
           expires_at, revoked_reason
         FROM refresh_families WHERE family_id = $1 FOR UPDATE`,
        [familyId],
      );
      const row = rows[0];
      if (!row || row.user_id !== userId) return { outcome: 'unknown' };
      if (row.revoked_reason !== null) {
        return { outcome: 'revoked', reason: revocationReason(row.revoked_reason) };
      }
      const now = Date.now();
      if (row.previous_token_id === fromTokenId && now - row.rotated_at < graceMs) {
        const current: IssuedClaims = {
          tokenId: row.current_token_id,
          issuedAtSec: row.current_issued_at,
          expiresAtSec: Math.floor(row.expires_at / 1000),
        };
        return { outcome: 'retried', current };
      }
      if (row.current_token_id === fromTokenId) {
        await client.query(
          `UPDATE refresh_families SET previous_token_id = current_token_id,
             current_token_id = $1, current_issued_at = $2, rotated_at = $3, expires_at = $4
           WHERE family_id = $5`,
          [to.tokenId, to.issuedAtSec, now, to.expiresAtSec * 1000, familyId],
        );
        return { outcome: 'rotated' };
      }
      await client.query(
        `UPDATE refresh_families SET revoked_at = $1, revoked_reason = 'token-reused'
         WHERE family_id = $2 AND revoked_at IS NULL`,
        [now, familyId],
      );
      return { outcome: 'reused' };
    });
  }

  async revoke(familyId: string, userId: UserId, reason: RevocationReason): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE refresh_families SET revoked_at = $1, revoked_reason = $2
       WHERE family_id = $3 AND user_id = $4 AND revoked_at IS NULL`,
      [Date.now(), reason, familyId, userId],
    );
    return result.rowCount === 1;
  }

  revokeAllOf(userId: UserId, reason: RevocationReason): Promise<number> {
    return revokeAllOfUser(this.pool, userId, reason);
  }

  async revokedAmong(familyIds: readonly string[]): Promise<Set<string>> {
    if (familyIds.length === 0) return new Set();
    const { rows } = await this.pool.query<{ family_id: string; revoked: boolean }>({
      name: 'families-revoked-among',
      text: `SELECT family_id, revoked_at IS NOT NULL AS revoked FROM refresh_families
        WHERE family_id = ANY($1::text[])`,
      values: [[...familyIds]],
    });
    const live = new Set(rows.filter((row) => !row.revoked).map((row) => row.family_id));
    return new Set(familyIds.filter((id) => !live.has(id)));
  }
}
