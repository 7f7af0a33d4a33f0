import { type OpenConnectionOptions, type SqliteDatabase, openConnection } from './connection.js';
import { MIGRATIONS } from './migrations.js';

export {
  type Migration,
  type SqliteDatabase,
  type Statement,
  SchemaTooNewError,
  migrate,
  schemaVersion,
} from './connection.js';

/** The schema defaults to the application's; tests pass their own. */
export type OpenDatabaseOptions = Partial<OpenConnectionOptions>;

/**
 * Opens (creating if needed) the accounts file, or ':memory:', and brings it to the application
 * schema (migrations.ts); tests pass a schema of their own.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  return openConnection(file, { ...options, migrations: options.migrations ?? MIGRATIONS });
}
