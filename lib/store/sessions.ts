import type { DB } from './db.ts';

/** Each session's account as its own hooks saw it (lib/util/account.ts): whose its transcripts' rows are. */
export interface SessionAccountRow {
  session_id: string;
  account: string;
  config_dir: string;
  seen: number;
}

export class SessionsTable {
  private readonly getStmt;
  private readonly putStmt;
  private readonly adoptStmts;
  private readonly accountsStmt;
  private readonly moveStmts;

  constructor(db: DB) {
    this.getStmt = db.prepare<[string], SessionAccountRow>('SELECT * FROM sessions WHERE session_id = ?');
    this.putStmt = db.prepare<SessionAccountRow>(
      `INSERT INTO sessions (session_id, account, config_dir, seen) VALUES (@session_id, @account, @config_dir, @seen)
       ON CONFLICT(session_id) DO UPDATE SET account = excluded.account, config_dir = excluded.config_dir, seen = excluded.seen`,
    );
    // Rows from before accounts (migration 6) become the default folder's subscription's, with their
    // account-wide recovery keys renamed to match.
    this.adoptStmts = [
      "UPDATE rate_limits SET account = ? WHERE account = 'legacy'",
      "UPDATE limit_messages SET account = ? WHERE account = 'legacy'",
      "UPDATE api_errors SET account = ? WHERE account = 'legacy'",
      "UPDATE entries SET account = ? WHERE account = 'legacy'",
      // The account's own row, written since, stands over the legacy one.
      "DELETE FROM recovery WHERE key LIKE '%@legacy%' AND replace(key, '@legacy', '@' || ?) IN (SELECT key FROM recovery)",
      "UPDATE recovery SET key = replace(key, '@legacy', '@' || ?) WHERE key LIKE '%@legacy%'",
      "UPDATE recovery SET account = ? WHERE account = 'legacy'",
    ].map((sql) => db.prepare<[string]>(sql));
    this.moveStmts = ['entries', 'api_errors', 'limit_messages'].map((t) =>
      db.prepare<[string, string]>(`UPDATE ${t} SET account = ? WHERE session_id = ?`),
    );
    this.accountsStmt = db
      .prepare<[number], string>('SELECT DISTINCT account FROM sessions WHERE seen >= ? ORDER BY account')
      .pluck();
  }

  get(sessionId: string): SessionAccountRow | undefined {
    return this.getStmt.get(sessionId);
  }

  /**
   * Records the session's account; when that differs from what its rows were filed under (imported
   * before its first hook ran, by the folder's subscription), they move to it. Call inside a write.
   */
  put(row: SessionAccountRow): void {
    const before = this.getStmt.get(row.session_id);
    this.putStmt.run(row);
    if (before?.account === row.account) return;
    for (const s of this.moveStmts) s.run(row.account, row.session_id);
  }

  /** Accounts whose sessions ran since `sinceMs`. */
  accountsSince(sinceMs: number): string[] {
    return this.accountsStmt.all(sinceMs);
  }

  /** Gives every row from before accounts to `account`; call inside a write. True when some row moved. */
  adoptLegacy(account: string): boolean {
    let moved = 0;
    for (const s of this.adoptStmts) moved += s.run(account).changes;
    return moved > 0;
  }
}
