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
import { bumpGeneration } from './generation.ts';

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
   * Set by every write to a decision's inputs (recovery rows, server readings, claude-monitor
   * snapshots); `commitInputs` and `close` void the cached decisions when it is set.
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
    rateLimits: new RateLimitsTable(db, changed),
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
