import { ensurePrivateDir, ensurePrivateFile } from '../util/fsPrivate.ts';
import { StoreError } from '../util/errors.ts';
import { MIGRATIONS } from './migrations.ts';
import { sqliteDriver, NoSqliteError, type DB, type Driver } from './driver.ts';
import { chmodSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';

export type { DB } from './driver.ts';

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface OpenOptions {
  /** How long a writer waits for another process's lock before giving up, in ms. */
  busyTimeoutMs?: number;
  readonly?: boolean;
  /** The SQLite to open it with: this process's (sqliteDriver) unless a test names one. */
  driver?: Driver;
}

/** Brings the schema to the current version, one immediate transaction per migration. */
function migrate(db: DB): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new StoreError(
      `state.db has schema version ${current}, newer than this ccguard understands (${MIGRATIONS.length}); upgrade ccguard`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    const sql = MIGRATIONS[v];
    if (sql === undefined) break;
    db.transaction(() => {
      // Another process may have migrated while we waited for the lock.
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now > v) return;
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/** Opens (creating if needed) the state database: private file, WAL, busy timeout, migrated. */
export function openDb(file: string, opts: OpenOptions = {}): DB {
  let db: DB;
  try {
    if (!opts.readonly) {
      ensurePrivateDir(dirname(file));
      ensurePrivateFile(file);
    }
    db = (opts.driver ?? sqliteDriver()).open(file, { readonly: opts.readonly ?? false });
  } catch (err) {
    // No SQLite at all is said as it is: the file is not what is wrong.
    if (err instanceof NoSqliteError) throw err;
    throw new StoreError(`cannot open ${file}`, { cause: err });
  }
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 10000}`);
    if (!opts.readonly) {
      // 16 KB pages for a new database (an existing one keeps its own; this is then a no-op): against
      // the default 4 KB, a bulk import's inserts took ~40% less time and its commits a fifth (fewer
      // page splits and writes), measured with 12,000 entries.
      db.pragma('page_size = 16384');
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db);
      for (const side of ['-wal', '-shm']) {
        if (existsSync(file + side)) chmodSync(file + side, 0o600);
      }
    }
    return db;
  } catch (err) {
    db.close();
    throw new StoreError(`cannot prepare ${file}`, { cause: err });
  }
}
