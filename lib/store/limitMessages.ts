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
}

export class LimitMessagesTable extends FileKeyedTable<LimitMessageRow> {
  private readonly latestInStmt;
  private readonly inForceStmt;

  constructor(db: DB) {
    super(db, 'limit_messages', ['key', 'ts', 'session_id', 'project', 'scope', 'reset_at', 'text', 'file_path']);
    this.inForceStmt = db.prepare<[number, number], LimitMessageRow>(
      'SELECT * FROM limit_messages WHERE reset_at > ? AND ts >= ? ORDER BY ts DESC',
    );
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

  /** Limit messages written since `sinceMs` whose reset is still ahead at `now`, newest first. */
  inForce(now: number, sinceMs: number): LimitMessageRow[] {
    return this.inForceStmt.all(now, sinceMs);
  }
}
