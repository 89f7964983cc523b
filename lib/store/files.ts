import type { DB } from './db.ts';

/** How far each transcript file has been read, and enough to notice it was replaced or truncated. */
export interface FileRow {
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtime_ms: number;
  offset: number;
  head_hash: string;
  bad_lines: number;
  updated_at: number;
}

export class FilesTable {
  private readonly getStmt;
  private readonly upsertStmt;
  private readonly recentStmt;
  private readonly countStmt;
  private readonly badStmt;

  constructor(db: DB) {
    this.getStmt = db.prepare<[string], FileRow>('SELECT * FROM files WHERE path = ?');
    this.upsertStmt = db.prepare<FileRow>(
      `INSERT INTO files (path, dev, ino, size, mtime_ms, offset, head_hash, bad_lines, updated_at)
       VALUES (@path, @dev, @ino, @size, @mtime_ms, @offset, @head_hash, @bad_lines, @updated_at)
       ON CONFLICT(path) DO UPDATE SET dev = excluded.dev, ino = excluded.ino, size = excluded.size,
         mtime_ms = excluded.mtime_ms, offset = excluded.offset, head_hash = excluded.head_hash,
         bad_lines = excluded.bad_lines, updated_at = excluded.updated_at`,
    );
    this.recentStmt = db.prepare<[number], FileRow>('SELECT * FROM files WHERE mtime_ms >= ?');
    this.countStmt = db.prepare<[], { n: number; bytes: number | null }>(
      'SELECT COUNT(*) AS n, SUM(offset) AS bytes FROM files',
    );
    this.badStmt = db.prepare<[], { n: number | null }>('SELECT SUM(bad_lines) AS n FROM files');
  }

  get(path: string): FileRow | undefined {
    return this.getStmt.get(path);
  }

  put(row: FileRow): void {
    this.upsertStmt.run(row);
  }

  /** Files written to since `sinceMs`: the ones a hook keeps an eye on. */
  recent(sinceMs: number): FileRow[] {
    return this.recentStmt.all(sinceMs);
  }

  totals(): { files: number; bytes: number; badLines: number } {
    const c = this.countStmt.get();
    return { files: c?.n ?? 0, bytes: c?.bytes ?? 0, badLines: this.badStmt.get()?.n ?? 0 };
  }
}
