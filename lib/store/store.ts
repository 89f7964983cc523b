import { openDb, type DB, type OpenOptions } from './db.ts';
import { isCorruption, quarantine } from './recover.ts';
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
  try {
    db = openDb(file, opts);
    db.prepare('SELECT COUNT(*) FROM meta').get();
  } catch (err) {
    if (opts.readonly || !isCorruption(err)) throw err;
    const dest = quarantine(file, opts.now ?? Date.now());
    opts.onQuarantine?.(dest);
    db = openDb(file, opts);
  }
  return storeOn(db, file);
}

function storeOn(db: DB, file: string): Store {
  const entries = new EntriesTable(db);
  return {
    db,
    file,
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
