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
}

export class ApiErrorsTable {
  private readonly insertStmt;
  private readonly deleteFileStmt;
  private readonly sinceStmt;

  constructor(db: DB) {
    this.insertStmt = db.prepare<ApiErrorRow>(
      `INSERT OR IGNORE INTO api_errors (key, ts, session_id, project, kind, status, message, file_path)
       VALUES (@key, @ts, @session_id, @project, @kind, @status, @message, @file_path)`,
    );
    this.deleteFileStmt = db.prepare<[string]>('DELETE FROM api_errors WHERE file_path = ?');
    this.sinceStmt = db.prepare<[number], ApiErrorRow>('SELECT * FROM api_errors WHERE ts >= ? ORDER BY ts');
  }

  insert(row: ApiErrorRow): boolean {
    return this.insertStmt.run(row).changes > 0;
  }

  deleteFile(path: string): void {
    this.deleteFileStmt.run(path);
  }

  since(ms: number): ApiErrorRow[] {
    return this.sinceStmt.all(ms);
  }
}
