import { z } from 'zod';
import type { UserId } from '../../../protocol/index.js';
import type { PushRegistration, PushTokenStore } from '../types.js';
import type { SqliteDatabase, Statement } from './database.js';
import { settle } from './settle.js';

interface PushTokenRow {
  user_id: string;
  device_id: string;
  platform: string;
  token: string;
  updated_at: number;
}

const platformSchema = z.enum(['apns-voip', 'fcm', 'vendor']);

export class SqlitePushTokenStore implements PushTokenStore {
  private readonly registerTransaction: (reg: Omit<PushRegistration, 'updatedAt'>) => void;
  private readonly deleteOne: Statement<[string, string]>;
  private readonly selectForUser: Statement<[string], PushTokenRow>;

  constructor(db: SqliteDatabase) {
    const upsert = db.prepare<[string, string, string, string, number]>(
      `INSERT INTO push_tokens (user_id, device_id, platform, token, updated_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id, device_id) DO UPDATE SET platform = excluded.platform,
         token = excluded.token, updated_at = excluded.updated_at`,
    );
    const deleteElsewhere = db.prepare<[string, string, string]>(
      'DELETE FROM push_tokens WHERE token = ? AND NOT (user_id = ? AND device_id = ?)',
    );
    this.registerTransaction = db.transaction((reg: Omit<PushRegistration, 'updatedAt'>) => {
      // A token identifies one app install. If it shows up under another account or device id
      // (someone else signed in on that device), the old registration would push that user's
      // calls to the wrong person: it goes.
      deleteElsewhere.run(reg.token, reg.userId, reg.deviceId);
      upsert.run(reg.userId, reg.deviceId, reg.platform, reg.token, Date.now());
    });
    this.deleteOne = db.prepare('DELETE FROM push_tokens WHERE user_id = ? AND device_id = ?');
    this.selectForUser = db.prepare(
      `SELECT user_id, device_id, platform, token, updated_at FROM push_tokens
       WHERE user_id = ? ORDER BY updated_at DESC, device_id`,
    );
  }

  register(reg: Omit<PushRegistration, 'updatedAt'>): Promise<void> {
    return settle(() => {
      this.registerTransaction(reg);
    });
  }

  unregister(userId: UserId, deviceId: string): Promise<void> {
    return settle(() => {
      this.deleteOne.run(userId, deviceId);
    });
  }

  listForUser(userId: UserId): Promise<PushRegistration[]> {
    return settle(() =>
      this.selectForUser.all(userId).map((row) => ({
        userId: row.user_id,
        deviceId: row.device_id,
        // The column's CHECK constraint allows only these; parsing keeps the type honest.
        platform: platformSchema.parse(row.platform),
        token: row.token,
        updatedAt: row.updated_at,
      })),
    );
  }
}
