import { openDb, type DB, type OpenOptions } from './db.ts';
import { fileIdentity, isCorruption, quarantine, type FileIdentity } from './corruption.ts';
import { FilesTable } from './files.ts';
import { DirsTable } from './dirs.ts';
import { MetaTable } from './meta.ts';
import { EntriesTable } from './entries.ts';
import { ApiErrorsTable } from './apiErrors.ts';
import { LimitMessagesTable } from './limitMessages.ts';
import { BlocksTable } from './blocks.ts';
import { EventsTable } from './events.ts';
import { RecoveryTable } from './recovery.ts';
import { MarksTable } from './marks.ts';
import { RateLimitsTable } from './rateLimits.ts';
import { MonitorCacheTable } from './monitorCache.ts';
import { UsageApiState } from './usageApiState.ts';
import { SessionsTable } from './sessions.ts';
import { GroupTx } from './groupTx.ts';
import { dirname } from 'node:path';
import { bumpGeneration, publishReadings, type PublishedReading } from './generation.ts';

/** Runs `fn` as one immediate write transaction (see Store.write). */
export type Write = <T>(fn: () => T) => T;

/** The state database with one object per table. */
export interface Store {
  db: DB;
  file: string;
  /** The file opened (to tell it from one that replaced it at the same path). */
  identity: FileIdentity | null;
  files: FilesTable;
  dirs: DirsTable;
  meta: MetaTable;
  entries: EntriesTable;
  apiErrors: ApiErrorsTable;
  limitMessages: LimitMessagesTable;
  blocks: BlocksTable;
  events: EventsTable;
  recovery: RecoveryTable;
  marks: MarksTable;
  rateLimits: RateLimitsTable;
  monitorCache: MonitorCacheTable;
  /** Each session's account. */
  sessions: SessionsTable;
  /** The usage endpoint's refresh state of one account (kept in meta). */
  usageApiOf: (account: string) => UsageApiState;
  /** The state directory the database lives in (where the decision generation is kept). */
  stateDir: string;
  /**
   * Set by every write to a decision's inputs (recovery rows, claude-monitor snapshots; server
   * readings are published instead, see generation.ts); `write` (once its transaction commits) and
   * `close` void the cached decisions when it is set.
   */
  inputsChanged: boolean;
  /**
   * Runs `fn` in one BEGIN IMMEDIATE transaction: the write lock is taken before anything is read, so
   * a read-then-write by two processes cannot interleave, and a busy lock is waited for (busy_timeout)
   * at the start rather than failing at the first write. Inside another write it is a savepoint. Once
   * the outermost transaction commits, every lease is voided if it changed what decisions rest on:
   * pauses, backoff, holds, resumes and claude-monitor snapshots are written only through here, and
   * their tables report each write (`inputsChanged`), so a writer cannot forget. Server readings are
   * published for the leases to check instead (generation.ts); a config edit is seen by its mtime.
   */
  write: Write;
  /** `write` for a hot path: `fn` is wrapped once, and each call of the result is one write. */
  prepareWrite<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T;
  /** Many writes committed as a group (a bulk import): see GroupTx. */
  writeGroup(maxMs?: number): GroupTx;
  /** True while a transaction (a write, or a group) is open on this connection. */
  readonly inTransaction: boolean;
  /** SQLite's data_version: moves whenever another connection commits. */
  dataVersion(): number;
  /** The database's integrity (SQLite's quick_check: 'ok' when sound) and schema version. */
  health(): { integrity: string; schemaVersion: number };
  close(): void;
}

/**
 * Opens the state database; one that SQLite finds broken (overwritten, truncated mid-page) is moved
 * aside and a fresh one takes its place, to be rebuilt from the transcripts.
 */
export function openStore(
  file: string,
  opts: OpenOptions & { now?: number; onQuarantine?: (dest: string) => void } = {},
): Store {
  let db: DB;
  let identity = fileIdentity(file);
  try {
    db = openDb(file, opts);
    db.prepare('SELECT COUNT(*) FROM meta').get();
  } catch (err) {
    if (opts.readonly || !isCorruption(err)) throw err;
    const dest = quarantine(file, opts.now ?? Date.now(), identity);
    if (dest) opts.onQuarantine?.(dest);
    db = openDb(file, opts);
  }
  identity = fileIdentity(file);
  return storeOn(db, file, identity);
}

function storeOn(db: DB, file: string, identity: FileIdentity | null): Store {
  const changed = (): void => {
    store.inputsChanged = true;
  };
  const prepareWrite = <A extends unknown[], T>(fn: (...args: A) => T): ((...args: A) => T) => {
    const tx = db.transaction(fn);
    return (...args: A): T => {
      const out = tx.immediate(...args);
      // A savepoint inside another write: the outermost one flushes once it commits.
      if (!db.inTransaction) flushInputs(store);
      return out;
    };
  };
  const write: Write = (fn) => prepareWrite(fn)();
  const entries = new EntriesTable(db, write);
  const meta = new MetaTable(db);
  // A new server reading is published for the leases to check against their bounds, rather than
  // voiding them all: readings arrive every few seconds, and most move nothing a decision rests on.
  // Published inside the recording transaction, so concurrent writers publish in commit order.
  const reading = (account: string): void => {
    try {
      publishLatestReadings(store, account);
    } catch {
      // Not published: void every lease instead.
      store.inputsChanged = true;
    }
  };
  const store: Store = {
    db,
    file,
    identity,
    files: new FilesTable(db),
    dirs: new DirsTable(db),
    meta,
    entries,
    apiErrors: new ApiErrorsTable(db),
    limitMessages: new LimitMessagesTable(db),
    blocks: new BlocksTable(db, entries, write),
    events: new EventsTable(db),
    recovery: new RecoveryTable(db, changed),
    marks: new MarksTable(db),
    rateLimits: new RateLimitsTable(db, write, reading),
    monitorCache: new MonitorCacheTable(db, write, changed),
    sessions: new SessionsTable(db),
    usageApiOf: (account) => new UsageApiState(meta, write, account),
    stateDir: dirname(file),
    inputsChanged: false,
    write,
    prepareWrite,
    writeGroup: (maxMs) => new GroupTx(db, maxMs),
    get inTransaction() {
      return db.inTransaction;
    },
    dataVersion: () => db.pragma('data_version', { simple: true }) as number,
    health: () => ({
      integrity: String(db.pragma('quick_check(1)', { simple: true })),
      schemaVersion: db.pragma('user_version', { simple: true }) as number,
    }),
    close: () => {
      // A writer that did not go through `write` still voids the cached decisions here.
      flushInputs(store);
      if (db.open) db.close();
    },
  };
  return store;
}

/** Voids every cached decision when the inputs changed since the last flush. */
export function flushInputs(store: Store): void {
  if (!store.inputsChanged) return;
  store.inputsChanged = false;
  try {
    bumpGeneration(store.stateDir);
  } catch {
    // an unwritable state directory has no cached decisions to void either
  }
}

/** Publishes the newest reading of each window of the account for the leases (see generation.ts); call inside a write transaction. */
export function publishLatestReadings(store: Store, account: string): void {
  const pub = (w: 'five_hour' | 'seven_day'): PublishedReading | null => {
    const r = store.rateLimits.latest(account, w);
    return r ? { id: r.id, pct: r.used_pct, resetsAt: r.resets_at, firstSeen: r.first_seen } : null;
  };
  publishReadings(store.stateDir, account, { five_hour: pub('five_hour'), seven_day: pub('seven_day') });
}
