import type { DB } from './db.ts';

/** What a row read from a transcript carries in every such table: its key, its time and its file. */
export interface FileKeyedRow {
  key: string;
  ts: number;
  file_path: string;
}

/**
 * A table of rows read from transcripts, one per key, each owned by the file it was read from (so a
 * file read again from the start takes its rows out first): api_errors and limit_messages.
 */
export class FileKeyedTable<R extends FileKeyedRow> {
  private readonly insertStmt;
  private readonly claimStmt;
  private readonly deleteFileStmt;
  private readonly sinceStmt;
  private readonly afterStmt;
  private readonly maxRowidStmt;

  /** `table` and `columns` are this module's constants, never input. */
  constructor(db: DB, table: string, columns: readonly (keyof R & string)[]) {
    this.insertStmt = db.prepare<R>(
      `INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
    );
    // An equal copy in a file whose path sorts first takes the row over (see EntriesTable.upsert).
    const set = columns.filter((c) => c !== 'key').map((c) => `${c} = @${c}`);
    this.claimStmt = db.prepare<R>(`UPDATE ${table} SET ${set.join(', ')} WHERE key = @key AND file_path > @file_path`);
    this.deleteFileStmt = db.prepare<[string]>(`DELETE FROM ${table} WHERE file_path = ?`);
    this.maxRowidStmt = db.prepare<[], number | null>(`SELECT MAX(rowid) FROM ${table}`).pluck();
    this.afterStmt = db.prepare<[number, number], R & { rid: number }>(
      `SELECT rowid AS rid, * FROM ${table} WHERE rowid > ? AND ts >= ? ORDER BY rowid`,
    );
    this.sinceStmt = db.prepare<[number], R>(`SELECT * FROM ${table} WHERE ts >= ? ORDER BY ts`);
  }

  /** Stores a row; true when its key is new. */
  insert(row: R): boolean {
    if (this.insertStmt.run(row).changes > 0) return true;
    this.claimStmt.run(row);
    return false;
  }

  deleteFile(path: string): void {
    this.deleteFileStmt.run(path);
  }

  since(ms: number): R[] {
    return this.sinceStmt.all(ms);
  }

  /** Rows stored after row `rid` (in the order they were imported), dated at or after `minTs`. */
  storedAfter(rid: number, minTs: number): (R & { rid: number })[] {
    return this.afterStmt.all(rid, minTs);
  }

  /** The last row stored so far (0 with none). */
  maxRowid(): number {
    return this.maxRowidStmt.get() ?? 0;
  }
}
