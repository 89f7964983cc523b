import type { DB } from './db.ts';

/** API errors seen in transcripts: rate limits (429), overloads, billing errors, retries. */
export interface ApiErrorRow {
  key: string;
  ts: number;
  session_id: string;
  project: string;
  kind: string;
  status: number | null;
  message: string;
  file_path: string;
  /** The account whose request it was (lib/util/account.ts). */
  account: string;
}

export class ApiErrorsTable {
  private readonly insertStmt;
  private readonly claimStmt;
  private readonly deleteFileStmt;
  private readonly sinceStmt;
  private readonly afterStmt;
  private readonly maxRowidStmt;

  constructor(db: DB) {
    this.insertStmt = db.prepare<ApiErrorRow>(
      `INSERT OR IGNORE INTO api_errors (key, ts, session_id, project, kind, status, message, file_path, account)
       VALUES (@key, @ts, @session_id, @project, @kind, @status, @message, @file_path, @account)`,
    );
    // An equal copy in a file whose path sorts first takes the row over (see EntriesTable.upsert).
    this.claimStmt = db.prepare<ApiErrorRow>(
      `UPDATE api_errors SET ts = @ts, session_id = @session_id, project = @project, kind = @kind, status = @status, message = @message, file_path = @file_path, account = @account WHERE key = @key AND file_path > @file_path`,
    );
    this.deleteFileStmt = db.prepare<[string]>('DELETE FROM api_errors WHERE file_path = ?');
    this.maxRowidStmt = db.prepare<[], number | null>('SELECT MAX(rowid) FROM api_errors').pluck();
    this.afterStmt = db.prepare<[number, number], ApiErrorRow & { rid: number }>(
      'SELECT rowid AS rid, * FROM api_errors WHERE rowid > ? AND ts >= ? ORDER BY rowid',
    );
    this.sinceStmt = db.prepare<[number], ApiErrorRow>('SELECT * FROM api_errors WHERE ts >= ? ORDER BY ts');
  }

  /** Stores a row; true when its key is new. */
  insert(row: ApiErrorRow): boolean {
    if (this.insertStmt.run(row).changes > 0) return true;
    this.claimStmt.run(row);
    return false;
  }

  deleteFile(path: string): void {
    this.deleteFileStmt.run(path);
  }

  since(ms: number): ApiErrorRow[] {
    return this.sinceStmt.all(ms);
  }

  /** Rows stored after row `rid` (in the order they were imported), dated at or after `minTs`. */
  storedAfter(rid: number, minTs: number): (ApiErrorRow & { rid: number })[] {
    return this.afterStmt.all(rid, minTs);
  }

  /** The last row stored so far (0 with none). */
  maxRowid(): number {
    return this.maxRowidStmt.get() ?? 0;
  }
}
