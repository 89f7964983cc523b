import { setTimeout as sleep } from 'node:timers/promises';
import { openSqlite, type DB } from './sqlite.ts';
import type { EventRow } from '../../lib/store/events.ts';

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Reads (or, with `write`, changes) the state database of a test home directly. */
export function withDb<T>(dbFile: string, f: (db: DB) => T, write = false): T {
  const db = openSqlite(dbFile, { readonly: !write });
  try {
    db.pragma('busy_timeout = 5000');
    return f(db);
  } finally {
    db.close();
  }
}

export type EventWithSource = Pick<EventRow, 'hook' | 'decision' | 'state' | 'reason' | 'source'>;

export function eventsWithSource(dbFile: string): EventWithSource[] {
  return withDb(
    dbFile,
    (db) =>
      db
        .prepare("SELECT hook, decision, state, reason, source FROM events WHERE decision != 'notify' ORDER BY id")
        .all() as EventWithSource[],
  );
}

export function monitorRow(dbFile: string, key: string): Record<string, any> | undefined {
  try {
    return withDb(
      dbFile,
      (db) => db.prepare('SELECT * FROM monitor_cache WHERE key = ?').get(key) as Record<string, unknown> | undefined,
    );
  } catch {
    return undefined;
  }
}
