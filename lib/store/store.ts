import { openDb, type DB, type OpenOptions } from './db.ts';
import { fileIdentity, isCorruption, quarantine, type FileIdentity } from './recover.ts';
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
import { dirname } from 'node:path';
import { bumpGeneration, publishReadings, type PublishedReading } from './generation.ts';

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
  /** The state directory the database lives in (where the decision generation is kept). */
  stateDir: string;
  /**
   * Set by every write to a decision's inputs (recovery rows, claude-monitor snapshots; server
   * readings are published instead, see generation.ts); `commitInputs` and `close` void the cached decisions when it is set.
   */
  inputsChanged: boolean;
  close(): void;
}

/**
 * Opens the state database; one that SQLite finds broken (overwritten, truncated mid-page) is moved
 * aside and a fresh one takes its place, to be rebuilt from the transcripts.
 */
export function openStore(file: string, opts: OpenOptions & { now?: number; onQuarantine?: (dest: string) => void } = {}): Store {
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
  const entries = new EntriesTable(db);
  const changed = (): void => {
    store.inputsChanged = true;
  };
  // A new server reading is published for the leases to check against their bounds, rather than
  // voiding them all: readings arrive every few seconds, and most move nothing a decision rests on.
  // Published inside the recording transaction, so concurrent writers publish in commit order.
  const reading = (): void => {
    try {
      publishLatestReadings(store);
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
    meta: new MetaTable(db),
    entries,
    apiErrors: new ApiErrorsTable(db),
    limitMessages: new LimitMessagesTable(db),
    blocks: new BlocksTable(db, entries),
    events: new EventsTable(db),
    recovery: new RecoveryTable(db, changed),
    marks: new MarksTable(db),
    rateLimits: new RateLimitsTable(db, reading),
    monitorCache: new MonitorCacheTable(db, changed),
    stateDir: dirname(file),
    inputsChanged: false,
    close: () => {
      // A writer that did not go through commitInputs still voids the cached decisions here.
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

/** Publishes the newest reading of each window for the leases (see generation.ts); call inside a write transaction. */
export function publishLatestReadings(store: Store): void {
  const pub = (w: 'five_hour' | 'seven_day'): PublishedReading | null => {
    const r = store.rateLimits.latest(w);
    return r ? { id: r.id, pct: r.used_pct, resetsAt: r.resets_at, firstSeen: r.first_seen } : null;
  };
  publishReadings(store.stateDir, { five_hour: pub('five_hour'), seven_day: pub('seven_day') });
}
