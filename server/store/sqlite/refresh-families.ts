import type { UserId } from '../../../protocol/index.js';
import type { IssuedClaims } from '../../tokens.js';
import type { RevocationReason, RotationOutcome, SignInFamilyStore } from '../types.js';
import type { SqliteDatabase, Statement } from './database.js';
import { settle } from './settle.js';

/** How long after its last refresh token expired a family is kept. */
const PRUNE_AFTER_MS = 86_400_000;

interface FamilyRow {
  user_id: string;
  current_token_id: string;
  current_issued_at: number;
  previous_token_id: string | null;
  rotated_at: number;
  expires_at: number;
  revoked_reason: RevocationReason | null;
}

/**
 * Sign-in families in the accounts file (migration 4). Each statement is synchronous on the
 * event loop, so a rotation's read and its compare-and-set cannot interleave with another
 * request; the `WHERE current_token_id = ?` guard also holds against another process.
 */
export class SqliteSignInFamilies implements SignInFamilyStore {
  private readonly insert: Statement<[string, string, string, number, number, number, number]>;
  private readonly prune: Statement<[number]>;
  private readonly select: Statement<[string], FamilyRow>;
  private readonly advance: Statement<[string, number, number, number, string, string]>;
  private readonly revokeOne: Statement<[number, string, string, string]>;
  private readonly revokeUser: Statement<[number, string, string]>;
  private readonly selectRevoked: Statement<[string], { family_id: string }>;
  private readonly selectKnown: Statement<[string], { family_id: string }>;

  constructor(private readonly db: SqliteDatabase) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO refresh_families (family_id, user_id, current_token_id,
         current_issued_at, created_at, rotated_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.prune = db.prepare('DELETE FROM refresh_families WHERE expires_at < ?');
    this.select = db.prepare(
      `SELECT user_id, current_token_id, current_issued_at, previous_token_id, rotated_at,
         expires_at, revoked_reason
       FROM refresh_families WHERE family_id = ?`,
    );
    this.advance = db.prepare(
      `UPDATE refresh_families SET previous_token_id = current_token_id, current_token_id = ?,
         current_issued_at = ?, rotated_at = ?, expires_at = ?
       WHERE family_id = ? AND current_token_id = ? AND revoked_at IS NULL`,
    );
    this.revokeOne = db.prepare(
      `UPDATE refresh_families SET revoked_at = ?, revoked_reason = ?
       WHERE family_id = ? AND user_id = ? AND revoked_at IS NULL`,
    );
    this.revokeUser = db.prepare(
      `UPDATE refresh_families SET revoked_at = ?, revoked_reason = ?
       WHERE user_id = ? AND revoked_at IS NULL`,
    );
    // The ids travel as a JSON array: one statement for any number of families.
    this.selectRevoked = db.prepare(
      `SELECT family_id FROM refresh_families
       WHERE family_id IN (SELECT value FROM json_each(?)) AND revoked_at IS NOT NULL`,
    );
    this.selectKnown = db.prepare(
      `SELECT family_id FROM refresh_families WHERE family_id IN (SELECT value FROM json_each(?))`,
    );
  }

  start(family: { familyId: string; userId: UserId; token: IssuedClaims }): Promise<void> {
    return settle(() => {
      const now = Date.now();
      const { tokenId, issuedAtSec, expiresAtSec } = family.token;
      // A family expired a day ago holds no valid token (its access tokens expired before it,
      // and sessions end soon after their token): a sign-in is a good moment to drop such
      // families, one index range. Unknown families count as revoked.
      this.prune.run(now - PRUNE_AFTER_MS);
      this.insert.run(
        family.familyId,
        family.userId,
        tokenId,
        issuedAtSec,
        now,
        now,
        expiresAtSec * 1000,
      );
    });
  }

  rotate(
    familyId: string,
    userId: UserId,
    fromTokenId: string,
    to: IssuedClaims,
    graceMs: number,
  ): Promise<RotationOutcome> {
    const exchange = this.db.transaction((): RotationOutcome => {
      const row = this.select.get(familyId);
      if (!row || row.user_id !== userId) return { outcome: 'unknown' };
      if (row.revoked_reason !== null) return { outcome: 'revoked', reason: row.revoked_reason };
      const now = Date.now();
      if (row.previous_token_id === fromTokenId && now - row.rotated_at < graceMs) {
        const current: IssuedClaims = {
          tokenId: row.current_token_id,
          issuedAtSec: row.current_issued_at,
          expiresAtSec: Math.floor(row.expires_at / 1000),
        };
        return { outcome: 'retried', current };
      }
      const { tokenId, issuedAtSec, expiresAtSec } = to;
      const moved = this.advance.run(
        tokenId,
        issuedAtSec,
        now,
        expiresAtSec * 1000,
        familyId,
        fromTokenId,
      );
      if (moved.changes === 1) return { outcome: 'rotated' };
      this.revokeOne.run(now, 'token-reused', familyId, userId);
      return { outcome: 'reused' };
    });
    return settle(() => exchange());
  }

  revoke(familyId: string, userId: UserId, reason: RevocationReason): Promise<boolean> {
    return settle(() => this.revokeOne.run(Date.now(), reason, familyId, userId).changes === 1);
  }

  revokeAllOf(userId: UserId, reason: RevocationReason): Promise<number> {
    return settle(() => this.revokeAllNow(userId, reason));
  }

  /** For the user store, inside its own transaction (a password change, disabling). */
  revokeAllNow(userId: UserId, reason: RevocationReason): number {
    return this.revokeUser.run(Date.now(), reason, userId).changes;
  }

  revokedAmong(familyIds: readonly string[]): Promise<Set<string>> {
    return settle(() => this.revokedNow(familyIds));
  }

  private revokedNow(familyIds: readonly string[]): Set<string> {
    if (familyIds.length === 0) return new Set();
    const ids = JSON.stringify(familyIds);
    const revoked = new Set(this.selectRevoked.all(ids).map((row) => row.family_id));
    const known = new Set(this.selectKnown.all(ids).map((row) => row.family_id));
    for (const id of familyIds) if (!known.has(id)) revoked.add(id);
    return revoked;
  }
}
