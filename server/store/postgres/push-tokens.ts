import type pg from 'pg';
import { z } from 'zod';
import type { UserId } from '../../../protocol/index.js';
import type { PushRegistration, PushTokenStore } from '../types.js';
import { inTransaction } from './pool.js';

const platformSchema = z.enum(['apns-voip', 'fcm', 'vendor']);

export class PostgresPushTokenStore implements PushTokenStore {
  constructor(private readonly pool: pg.Pool) {}

  async register(reg: Omit<PushRegistration, 'updatedAt'>): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      // A token identifies one app install. Under another account or device id (someone else
      // signed in on that device), the old registration would push that user's calls to the
      // wrong person: it goes.
      await client.query(
        'DELETE FROM push_tokens WHERE token = $1 AND NOT (user_id = $2 AND device_id = $3)',
        [reg.token, reg.userId, reg.deviceId],
      );
      await client.query(
        `INSERT INTO push_tokens (user_id, device_id, platform, token, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, device_id) DO UPDATE SET platform = excluded.platform,
           token = excluded.token, updated_at = excluded.updated_at`,
        [reg.userId, reg.deviceId, reg.platform, reg.token, Date.now()],
      );
    });
  }

  async unregister(userId: UserId, deviceId: string): Promise<void> {
    await this.pool.query('DELETE FROM push_tokens WHERE user_id = $1 AND device_id = $2', [
      userId,
      deviceId,
    ]);
  }

  async listForUser(userId: UserId): Promise<PushRegistration[]> {
    const { rows } = await this.pool.query<{
      user_id: string;
      device_id: string;
      platform: string;
      token: string;
      updated_at: number;
    }>(
      `SELECT user_id, device_id, platform, token, updated_at FROM push_tokens
       WHERE user_id = $1 ORDER BY updated_at DESC, device_id`,
      [userId],
    );
    return rows.map((row) => ({
      userId: row.user_id,
      deviceId: row.device_id,
      // The column's CHECK constraint allows only these; parsing keeps the type honest.
      platform: platformSchema.parse(row.platform),
      token: row.token,
      updatedAt: row.updated_at,
    }));
  }
}
