import type { DB } from './db.ts';

/** The two windows Claude Code's status line reports for claude.ai subscribers. */
export type RateLimitWindow = 'five_hour' | 'seven_day';

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
}

export type RateLimitReading = Omit<RateLimitRow, 'id' | 'first_seen' | 'last_seen'> & { seen: number };

export class RateLimitsTable {
  private readonly insertStmt;
  private readonly latestStmt;
  private readonly touchStmt;
  private readonly pruneStmt;
  private readonly sinceStmt;

  constructor(private readonly db: DB) {
    this.insertStmt = db.prepare<[string, number, number | null, number, number, string | null]>(
      `INSERT INTO rate_limits (limit_window, used_pct, resets_at, first_seen, last_seen, session_id) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.latestStmt = db.prepare<[string], RateLimitRow>(
      'SELECT id, limit_window AS "window", used_pct, resets_at, first_seen, last_seen, session_id FROM rate_limits WHERE limit_window = ? ORDER BY last_seen DESC, id DESC LIMIT 1',
    );
    this.touchStmt = db.prepare<[number, number]>('UPDATE rate_limits SET last_seen = MAX(last_seen, ?) WHERE id = ?');
    this.pruneStmt = db.prepare<[number]>('DELETE FROM rate_limits WHERE last_seen < ?');
    this.sinceStmt = db.prepare<[string, number, number], RateLimitRow>(
      'SELECT id, limit_window AS "window", used_pct, resets_at, first_seen, last_seen, session_id FROM rate_limits WHERE limit_window = ? AND id > ? ORDER BY id LIMIT ?',
    );
  }

  /** The window's readings recorded after row `afterId`, oldest first, at most `limit`. */
  since(window: RateLimitWindow, afterId: number, limit: number): RateLimitRow[] {
    return this.sinceStmt.all(window, afterId, limit);
  }

  /** A new row, always. */
  insert(r: RateLimitReading): number {
    return Number(this.insertStmt.run(r.window, r.used_pct, r.resets_at, r.seen, r.seen, r.session_id).lastInsertRowid);
  }

  /** Records a reading: a new row when it differs from the window's latest, else that row seen again. True when new. */
  record(r: RateLimitReading): boolean {
    return this.db
      .transaction(() => {
        const last = this.latest(r.window);
        if (last && last.used_pct === r.used_pct && last.resets_at === r.resets_at) {
          this.touchStmt.run(r.seen, last.id);
          return false;
        }
        this.insert(r);
        return true;
      })
      .immediate();
  }

  /** The window's most recently seen reading. */
  latest(window: RateLimitWindow): RateLimitRow | undefined {
    return this.latestStmt.get(window);
  }

  prune(beforeMs: number): number {
    return this.pruneStmt.run(beforeMs).changes;
  }
}
