import type { DB } from './db.ts';

/**
 * The recovery state the hooks share: the rate-limit backoff, pauses (manual, session time, limit
 * message), resumes and alerts forced by hand. One row per key: `backoff`, `pause`, `pause:<session>`,
 * `resume:<session>`, `force:cost`, `lift` (pacing and limit holds lifted by `ccguard resume` until `until`).
 */
export type RecoveryKind = 'backoff' | 'pause' | 'resume' | 'force' | 'lift';

export interface RecoveryRow {
  key: string;
  kind: RecoveryKind;
  session_id: string | null;
  level: number;
  since: number;
  until: number | null;
  last_ts: number | null;
  reason: string;
  account: string;
}

export class RecoveryTable {
  private readonly getStmt;
  private readonly putStmt;
  private readonly delStmt;
  private readonly allStmt;
  private readonly pruneStmt;

  /** `changed` is told of every write: the store then voids cached decisions (Store.write). */
  constructor(
    db: DB,
    private readonly changed: () => void,
  ) {
    this.getStmt = db.prepare<[string], RecoveryRow>('SELECT * FROM recovery WHERE key = ?');
    this.putStmt = db.prepare<RecoveryRow>(
      `INSERT INTO recovery (key, kind, session_id, level, since, until, last_ts, reason, account)
       VALUES (@key, @kind, @session_id, @level, @since, @until, @last_ts, @reason, @account)
       ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, session_id = excluded.session_id, level = excluded.level,
         since = excluded.since, until = excluded.until, last_ts = excluded.last_ts, reason = excluded.reason, account = excluded.account`,
    );
    this.delStmt = db.prepare<[string]>('DELETE FROM recovery WHERE key = ?');
    this.allStmt = db.prepare<[], RecoveryRow>('SELECT * FROM recovery ORDER BY key');
    this.pruneStmt = db.prepare<[number]>(
      "DELETE FROM recovery WHERE until IS NOT NULL AND until < ? AND kind != 'resume'",
    );
  }

  get(key: string): RecoveryRow | undefined {
    return this.getStmt.get(key);
  }

  put(row: RecoveryRow): void {
    this.putStmt.run(row);
    this.changed();
  }

  delete(key: string): void {
    if (this.delStmt.run(key).changes > 0) this.changed();
  }

  /** Rows that ended before `ms` (resumes excepted): housekeeping. */
  pruneEnded(ms: number): void {
    this.pruneStmt.run(ms);
  }

  all(): RecoveryRow[] {
    return this.allStmt.all();
  }
}
