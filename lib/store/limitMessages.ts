import type { DB } from './db.ts';
import { FileKeyedTable } from './fileKeyed.ts';
import { HOUR_MS } from '../util/time.ts';

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

export class LimitMessagesTable extends FileKeyedTable<LimitMessageRow> {
  private readonly latestInStmt;
  private readonly inForceStmt;
  private readonly accountsStmt;

  constructor(db: DB) {
    super(db, 'limit_messages', [
      'key',
      'ts',
      'session_id',
      'project',
      'scope',
      'reset_at',
      'text',
      'file_path',
      'account',
    ]);
    this.inForceStmt = db.prepare<[string, number, number], LimitMessageRow>(
      'SELECT * FROM limit_messages WHERE account = ? AND reset_at > ? AND ts >= ? ORDER BY ts DESC',
    );
    this.accountsStmt = db
      .prepare<[number, number], string>('SELECT DISTINCT account FROM limit_messages WHERE reset_at > ? AND ts >= ?')
      .pluck();
    this.latestInStmt = db.prepare<[number, number, number], LimitMessageRow>(
      `SELECT * FROM limit_messages WHERE ts >= ? AND ts < ? AND reset_at IS NOT NULL
         AND scope IN ('five_hour', 'usage') AND reset_at <= ? ORDER BY ts DESC LIMIT 1`,
    );
  }

  /**
   * The newest 5-hour limit message written inside [from, to) whose reset falls within the block (or
   * just after it): it names the block's real reset. Weekly and model limits reset elsewhere.
   */
  latestWithReset(fromMs: number, toMs: number): LimitMessageRow | undefined {
    return this.latestInStmt.get(fromMs, toMs, toMs + HOUR_MS);
  }

  /** The account's limit messages written since `sinceMs` whose reset is still ahead at `now`, newest first. */
  inForce(account: string, now: number, sinceMs: number): LimitMessageRow[] {
    return this.inForceStmt.all(account, now, sinceMs);
  }

  /** The accounts with a limit message in force (see inForce). */
  accountsInForce(now: number, sinceMs: number): string[] {
    return this.accountsStmt.all(now, sinceMs);
  }
}
