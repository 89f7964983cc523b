import type { DB } from './db.ts';
import type { Write } from './store.ts';

/** The two windows Claude Code's status line reports for claude.ai subscribers. */
export type RateLimitWindow = 'five_hour' | 'seven_day';

/** Who reported a reading: Claude Code's status line, or the usage endpoint ccguard asked itself. */
export type ReadingSource = 'statusline' | 'usage_api';

/**
 * Server-reported utilization as the status line saw it: one row per distinct reading of a window
 * (same percentage and reset time seen again only moves `last_seen`), so the table grows with
 * changes, not with status line refreshes. `used_pct` is Claude's own figure (percent, may exceed
 * 100); `resets_at` is in ms (the status line gives Unix seconds); times are ms since the epoch.
 */
export interface RateLimitRow {
  id: number;
  window: RateLimitWindow;
  used_pct: number;
  resets_at: number | null;
  first_seen: number;
  last_seen: number;
  session_id: string | null;
  source: ReadingSource;
  /** The account the reading is of (lib/util/account.ts). */
  account: string;
}

/** A reading to record; the status line's when no source is named. */
export type RateLimitReading = Omit<RateLimitRow, 'id' | 'first_seen' | 'last_seen' | 'source'> & {
  seen: number;
  source?: ReadingSource;
};

const COLS = 'id, limit_window AS "window", used_pct, resets_at, first_seen, last_seen, session_id, source, account';

export class RateLimitsTable {
  private readonly insertStmt;
  private readonly latestStmt;
  private readonly touchStmt;
  private readonly sinceStmt;
  private readonly latestFromStmt;
  private readonly pruneStmt;
  private readonly windowStmt;
  private readonly accountsStmt;

  /** `changed` is told of every new reading: the store then voids cached decisions. */
  constructor(
    db: DB,
    private readonly write: Write,
    private readonly changed: (account: string) => void,
  ) {
    this.insertStmt = db.prepare<[string, number, number | null, number, number, string | null, string, string]>(
      `INSERT INTO rate_limits (limit_window, used_pct, resets_at, first_seen, last_seen, session_id, source, account) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.latestFromStmt = db.prepare<[string, string, string], RateLimitRow>(
      `SELECT ${COLS} FROM rate_limits WHERE account = ? AND limit_window = ? AND source = ? ORDER BY last_seen DESC, id DESC LIMIT 1`,
    );
    this.windowStmt = db.prepare<[string, string, number, number], RateLimitRow>(
      `SELECT ${COLS} FROM rate_limits WHERE account = ? AND limit_window = ? AND resets_at = ? AND last_seen >= ? ORDER BY first_seen, id`,
    );
    this.latestStmt = db.prepare<[string, string], RateLimitRow>(
      `SELECT ${COLS} FROM rate_limits WHERE account = ? AND limit_window = ? ORDER BY last_seen DESC, id DESC LIMIT 1`,
    );
    this.accountsStmt = db
      .prepare<[number], string>('SELECT DISTINCT account FROM rate_limits WHERE last_seen >= ?')
      .pluck();
    this.touchStmt = db.prepare<[number, number]>('UPDATE rate_limits SET last_seen = MAX(last_seen, ?) WHERE id = ?');
    this.pruneStmt = db.prepare<[number]>('DELETE FROM rate_limits WHERE last_seen < ?');
    this.sinceStmt = db.prepare<[string, number, number], RateLimitRow>(
      `SELECT ${COLS} FROM rate_limits WHERE limit_window = ? AND id > ? ORDER BY id LIMIT ?`,
    );
  }

  /** The window's readings recorded after row `afterId`, oldest first, at most `limit`. */
  since(window: RateLimitWindow, afterId: number, limit: number): RateLimitRow[] {
    return this.sinceStmt.all(window, afterId, limit);
  }

  /** A new row, always. */
  private insert(r: RateLimitReading): number {
    const id = Number(
      this.insertStmt.run(
        r.window,
        r.used_pct,
        r.resets_at,
        r.seen,
        r.seen,
        r.session_id,
        r.source ?? 'statusline',
        r.account,
      ).lastInsertRowid,
    );
    this.changed(r.account);
    return id;
  }

  /** Records a reading: a new row when it differs from the window's latest, else that row seen again. True when new. */
  record(r: RateLimitReading): boolean {
    return this.write(() => {
      const last = this.latestFromStmt.get(r.account, r.window, r.source ?? 'statusline');
      if (last && last.used_pct === r.used_pct && last.resets_at === r.resets_at) {
        this.touchStmt.run(r.seen, last.id);
        return false;
      }
      this.insert(r);
      return true;
    });
  }

  /** The account's most recently seen reading of the window. */
  latest(account: string, window: RateLimitWindow): RateLimitRow | undefined {
    return this.latestStmt.get(account, window);
  }

  /** The accounts with a reading seen since `sinceMs`. */
  accounts(sinceMs: number): string[] {
    return this.accountsStmt.all(sinceMs);
  }

  /**
   * Every reading of one account's window (the same reset time), seen at or after `fromMs`, oldest first: what
   * the burn and the anchored estimate are measured from.
   */
  ofWindow(account: string, window: RateLimitWindow, resetsAt: number, fromMs: number): RateLimitRow[] {
    return this.windowStmt.all(account, window, resetsAt, fromMs);
  }

  prune(beforeMs: number): number {
    return this.pruneStmt.run(beforeMs).changes;
  }
}
