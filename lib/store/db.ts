import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { ensurePrivateDir, ensurePrivateFile } from '../util/fsPrivate.ts';
import { StoreError } from '../util/errors.ts';
import { MIGRATIONS } from './migrations.ts';
import { chmodSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type DB = Database.Database;

const load = createRequire(import.meta.url);
let sqlite: { Database: typeof Database; binding: string | undefined } | undefined;

/**
 * better-sqlite3, loaded when a database is first opened (a hook on its fast path never opens one),
 * with the path of its compiled addon given directly: otherwise it asks the `bindings` package,
 * which loads two more modules and probes a dozen directories on every start. In the built bundles
 * the literal `require` below is esbuild's: better-sqlite3's JavaScript is bundled (evaluated on
 * first use), which saves ~5 ms of resolving and loading its dozen module files on every full check;
 * run from source (tests, tsx) there is no `require` and the package loads as usual.
 */
function betterSqlite(): { Database: typeof Database; binding: string | undefined } {
  if (sqlite) return sqlite;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- in the bundle this is esbuild's require (see above)
  const Database = (typeof require === 'function' ? require('better-sqlite3') : load('better-sqlite3')) as typeof import('better-sqlite3');
  const addon = join(dirname(load.resolve('better-sqlite3')), '..', 'build', 'Release', 'better_sqlite3.node');
  sqlite = { Database, binding: existsSync(addon) ? addon : undefined };
  return sqlite;
}

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface OpenOptions {
  /** How long a writer waits for another process's lock before giving up, in ms. */
  busyTimeoutMs?: number;
  readonly?: boolean;
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
    const { Database, binding } = betterSqlite();
    db = new Database(file, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
      ...(binding ? { nativeBinding: binding } : {}),
    });
  } catch (err) {
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
