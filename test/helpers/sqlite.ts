// Tests look into a state database through the driver the store itself runs on in this process
// (better-sqlite3, or node:sqlite where its addon does not load or CCGUARD_SQLITE_DRIVER=node).
import { sqliteDriver, type DB } from '../../lib/store/driver.ts';

export type { DB };

export function openSqlite(file: string, opts: { readonly?: boolean } = {}): DB {
  return sqliteDriver().open(file, { readonly: opts.readonly ?? false });
}
