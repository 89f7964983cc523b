import type { DB } from './db.ts';

/** Subscription limit messages ("5-hour limit reached ∙ resets 3pm", ...) with their parsed reset time. */
export interface LimitMessageRow {
  key: string;
  ts: number;
  session_id: string;
  project: string;
  scope: string;
  reset_at: number | null;
  text: string;
  file_path: string;
  /** The account whose limit it is (lib/util/account.ts). */
  account: string;
}

export class LimitMessagesTable {
  private readonly insertStmt;
  private readonly claimStmt;
  private readonly deleteFileStmt;
  private readonly sinceStmt;
  private readonly afterStmt;
  private readonly maxRowidStmt;
  private readonly latestInStmt;
  private readonly inForceStmt;
  private readonly accountsStmt;

  constructor(db: DB) {
    this.insertStmt = db.prepare<LimitMessageRow>(
      `INSERT OR IGNORE INTO limit_messages (key, ts, session_id, project, scope, reset_at, text, file_path, account)
       VALUES (@key, @ts, @session_id, @project, @scope, @reset_at, @text, @file_path, @account)`,
    );
    // An equal copy in a file whose path sorts first takes the row over (see EntriesTable.upsert).
    this.claimStmt = db.prepare<LimitMessageRow>(
      `UPDATE limit_messages SET ts = @ts, session_id = @session_id, project = @project, scope = @scope, reset_at = @reset_at, text = @text, file_path = @file_path, account = @account WHERE key = @key AND file_path > @file_path`,
    );
    this.deleteFileStmt = db.prepare<[string]>('DELETE FROM limit_messages WHERE file_path = ?');
    this.maxRowidStmt = db.prepare<[], number | null>('SELECT MAX(rowid) FROM limit_messages').pluck();
    this.afterStmt = db.prepare<[number, number], LimitMessageRow & { rid: number }>(
      'SELECT rowid AS rid, * FROM limit_messages WHERE rowid > ? AND ts >= ? ORDER BY rowid',
    );
    this.sinceStmt = db.prepare<[number], LimitMessageRow>('SELECT * FROM limit_messages WHERE ts >= ? ORDER BY ts');
    this.inForceStmt = db.prepare<[string, number, number], LimitMessageRow>(
      'SELECT * FROM limit_messages WHERE account = ? AND reset_at > ? AND ts >= ? ORDER BY ts DESC',
    );
    this.accountsStmt = db.prepare<[number, number], string>('SELECT DISTINCT account FROM limit_messages WHERE reset_at > ? AND ts >= ?').pluck();
    this.latestInStmt = db.prepare<[number, number, number], LimitMessageRow>(
      `SELECT * FROM limit_messages WHERE ts >= ? AND ts < ? AND reset_at IS NOT NULL
         AND scope IN ('five_hour', 'usage') AND reset_at <= ? ORDER BY ts DESC LIMIT 1`,
    );
  }

  /** Stores a row; true when its key is new. */
  insert(row: LimitMessageRow): boolean {
    if (this.insertStmt.run(row).changes > 0) return true;
    this.claimStmt.run(row);
    return false;
  }

  deleteFile(path: string): void {
    this.deleteFileStmt.run(path);
  }

  since(ms: number): LimitMessageRow[] {
    return this.sinceStmt.all(ms);
  }

  /**
   * The newest 5-hour limit message written inside [from, to) whose reset falls within the block (or
   * just after it): it names the block's real reset. Weekly and model limits reset elsewhere.
   */
  latestWithReset(fromMs: number, toMs: number): LimitMessageRow | undefined {
    return this.latestInStmt.get(fromMs, toMs, toMs + 3_600_000);
  }

  /** The account's limit messages written since `sinceMs` whose reset is still ahead at `now`, newest first. */
  inForce(account: string, now: number, sinceMs: number): LimitMessageRow[] {
    return this.inForceStmt.all(account, now, sinceMs);
  }

  /** The accounts with a limit message in force (see inForce). */
  accountsInForce(now: number, sinceMs: number): string[] {
    return this.accountsStmt.all(now, sinceMs);
  }

  /** Rows stored after row `rid` (in the order they were imported), dated at or after `minTs`. */
  storedAfter(rid: number, minTs: number): (LimitMessageRow & { rid: number })[] {
    return this.afterStmt.all(rid, minTs);
  }

  /** The last row stored so far (0 with none). */
  maxRowid(): number {
    return this.maxRowidStmt.get() ?? 0;
  }
}
