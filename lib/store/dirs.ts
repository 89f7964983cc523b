import type { DB } from './db.ts';

/** Last seen mtime of each transcript folder: a folder whose mtime is unchanged has no new files. */
export class DirsTable {
  private readonly getStmt;
  private readonly putStmt;

  constructor(db: DB) {
    this.getStmt = db.prepare<[string], { mtime_ms: number }>('SELECT mtime_ms FROM dirs WHERE path = ?');
    this.putStmt = db.prepare<[string, number]>(
      'INSERT INTO dirs (path, mtime_ms) VALUES (?, ?) ON CONFLICT(path) DO UPDATE SET mtime_ms = excluded.mtime_ms',
    );
  }

  mtime(path: string): number | undefined {
    return this.getStmt.get(path)?.mtime_ms;
  }

  put(path: string, mtimeMs: number): void {
    this.putStmt.run(path, mtimeMs);
  }
}
