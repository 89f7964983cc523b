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
  return {
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
    recovery: new RecoveryTable(db),
    marks: new MarksTable(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}
