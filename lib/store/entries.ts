import type { DB } from './db.ts';
import type { Write } from './store.ts';

/** One API response's usage and cost. The key is `message.id:requestId`, so each is counted once. */
export interface EntryRow {
  key: string;
  ts: number;
  session_id: string;
  project: string;
  model: string;
  input: number;
  output: number;
  cache_write_5m: number;
  cache_write_1h: number;
  cache_read: number;
  cost_usd: number;
  cost_estimated: number;
  file_path: string;
  /** The account that spent it (lib/util/account.ts); 'legacy' when not told. */
  account?: string;
}

export interface Totals {
  entries: number;
  input: number;
  output: number;
  cache_creation: number;
  cache_read: number;
  cost_usd: number;
  /** 1 when some response was of a model the price table does not know (priced by family). */
  cost_estimated: number;
  first_ts: number | null;
  last_ts: number | null;
}

export interface SessionTotals extends Totals {
  session_id: string;
  project: string;
}

/** One local calendar day's totals (the process's time zone). */
export interface DayTotals extends Pick<
  Totals,
  'entries' | 'input' | 'output' | 'cache_creation' | 'cache_read' | 'cost_usd'
> {
  date: string;
  /** The models answering that day, sorted (synthetic responses left out). */
  models: string[];
}

/** Totals of one project or one model over a range: limit_tokens is input + output. */
export interface GroupTotals {
  entries: number;
  limit_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

const SUMS = `COUNT(*) AS entries, COALESCE(SUM(input),0) AS input, COALESCE(SUM(output),0) AS output,
  COALESCE(SUM(cache_write_5m + cache_write_1h),0) AS cache_creation, COALESCE(SUM(cache_read),0) AS cache_read,
  COALESCE(SUM(cost_usd),0) AS cost_usd, COALESCE(MAX(cost_estimated),0) AS cost_estimated, MIN(ts) AS first_ts, MAX(ts) AS last_ts`;

/** Rows stored before accounts existed, and rows no one named an account for. */
const LEGACY = 'legacy';

export class EntriesTable {
  private readonly accountTokensStmt;
  private readonly insertStmt;
  private readonly deleteFileStmt;
  private readonly getTotalStmt;
  private readonly replaceStmt;
  private readonly rangeStmt;
  private readonly tsFromStmt;
  private readonly newestStmt;
  private readonly firstSinceStmt;
  private readonly modelsStmt;
  private readonly sessionsStmt;
  private readonly sessionStmt;
  private readonly setCostStmt;
  private readonly allForCostStmt;

  private readonly sessionModelStmt;
  constructor(
    private readonly db: DB,
    private readonly write: Write,
  ) {
    // Positional parameters: binding 13 of them from an array is measurably cheaper than by name.
    this.insertStmt = db.prepare<
      [string, number, string, string, string, number, number, number, number, number, number, number, string, string]
    >(
      `INSERT OR IGNORE INTO entries (key, ts, session_id, project, model, input, output, cache_write_5m,
         cache_write_1h, cache_read, cost_usd, cost_estimated, file_path, account)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteFileStmt = db.prepare<[string]>('DELETE FROM entries WHERE file_path = ?');
    this.getTotalStmt = db.prepare<[string], { ts: number; total: number; file_path: string }>(
      'SELECT ts, input + output + cache_write_5m + cache_write_1h + cache_read AS total, file_path FROM entries WHERE key = ?',
    );
    this.replaceStmt = db.prepare<EntryRow & { account: string }>(
      `UPDATE entries SET ts = @ts, session_id = @session_id, project = @project, model = @model, input = @input,
         output = @output, cache_write_5m = @cache_write_5m, cache_write_1h = @cache_write_1h, cache_read = @cache_read,
         cost_usd = @cost_usd, cost_estimated = @cost_estimated, file_path = @file_path, account = @account WHERE key = @key`,
    );
    this.rangeStmt = db.prepare<[number, number], Totals>(`SELECT ${SUMS} FROM entries WHERE ts >= ? AND ts < ?`);
    this.accountTokensStmt = db
      .prepare<[string, number, number], number>(
        'SELECT COALESCE(SUM(input + output), 0) FROM entries WHERE account = ? AND ts >= ? AND ts < ?',
      )
      .pluck();
    this.tsFromStmt = db.prepare<[number], number>('SELECT ts FROM entries WHERE ts >= ? ORDER BY ts').pluck();
    this.modelsStmt = db.prepare<[number, number], { model: string }>(
      `SELECT DISTINCT model FROM entries WHERE ts >= ? AND ts < ? AND model != '<synthetic>' ORDER BY model`,
    );
    this.sessionsStmt = db.prepare<[number, number], SessionTotals>(
      `SELECT session_id, MIN(project) AS project, ${SUMS} FROM entries WHERE ts >= ? AND ts < ?
       GROUP BY session_id ORDER BY first_ts`,
    );
    this.sessionStmt = db.prepare<[string], SessionTotals>(
      `SELECT session_id, MIN(project) AS project, ${SUMS} FROM entries WHERE session_id = ? GROUP BY session_id`,
    );
    // The session index (session_id, ts) answers this without touching other sessions' rows.
    this.sessionModelStmt = db
      .prepare<[string], string>(
        "SELECT model FROM entries WHERE session_id = ? AND model != '<synthetic>' ORDER BY ts DESC LIMIT 1",
      )
      .pluck();
    this.newestStmt = db.prepare<[], number | null>('SELECT MAX(ts) FROM entries').pluck();
    this.firstSinceStmt = db
      .prepare<[string, number], number>('SELECT ts FROM entries WHERE session_id = ? AND ts >= ? ORDER BY ts DESC')
      .pluck();
    this.setCostStmt = db.prepare<[number, number, string]>(
      'UPDATE entries SET cost_usd = ?, cost_estimated = ? WHERE key = ?',
    );
    this.allForCostStmt = db.prepare<[], EntryRow>('SELECT * FROM entries');
  }

  /**
   * Stores a response seen again in another line as ccusage does: the first copy stands unless a
   * later one carries strictly more tokens (a streamed response written before its final usage).
   * Between equal copies in two files (a resumed session's copy of earlier lines), the file whose
   * path sorts first keeps it: who a response belongs to must not depend on the order files are read
   * in, which a threaded import does not fix. Returns the earliest time whose block changed and
   * whether the response is new, or null when nothing changed.
   */
  upsert(row: EntryRow): { from: number; inserted: boolean } | null {
    const ins = this.insertStmt.run(
      row.key,
      row.ts,
      row.session_id,
      row.project,
      row.model,
      row.input,
      row.output,
      row.cache_write_5m,
      row.cache_write_1h,
      row.cache_read,
      row.cost_usd,
      row.cost_estimated,
      row.file_path,
      row.account ?? LEGACY,
    );
    if (ins.changes > 0) return { from: row.ts, inserted: true };
    const old = this.getTotalStmt.get(row.key);
    if (!old) return null;
    const total = row.input + row.output + row.cache_write_5m + row.cache_write_1h + row.cache_read;
    if (total < old.total || (total === old.total && row.file_path >= old.file_path)) return null;
    this.replaceStmt.run({ ...row, account: row.account ?? LEGACY });
    return { from: Math.min(old.ts, row.ts), inserted: false };
  }

  deleteFile(path: string): void {
    this.deleteFileStmt.run(path);
  }

  totals(fromMs: number, toMs: number): Totals {
    return this.rangeStmt.get(fromMs, toMs)!;
  }

  /** One account's input + output tokens in [fromMs, toMs): what its server-anchored estimate adds. */
  accountTokens(account: string, fromMs: number, toMs: number): number {
    return this.accountTokensStmt.get(account, fromMs, toMs) ?? 0;
  }

  models(fromMs: number, toMs: number): string[] {
    return this.modelsStmt.all(fromMs, toMs).map((r) => r.model);
  }

  sessions(fromMs: number, toMs: number): SessionTotals[] {
    return this.sessionsStmt.all(fromMs, toMs);
  }

  session(sessionId: string): SessionTotals | undefined {
    return this.sessionStmt.get(sessionId);
  }

  /** Timestamps in order from `fromMs`: the input of the block scan. */
  timestampsFrom(fromMs: number): number[] {
    return this.tsFromStmt.all(fromMs);
  }

  /** The session's entry times at or after `sinceMs`, newest first, read lazily (stop when done). */
  sessionTimesNewestFirst(sessionId: string, sinceMs: number): IterableIterator<number> {
    return this.firstSinceStmt.iterate(sessionId, sinceMs);
  }

  /** The model the session's newest response came from (what a model-family limit binds). */
  sessionModel(sessionId: string): string | null {
    return this.sessionModelStmt.get(sessionId) ?? null;
  }

  newestTs(): number | null {
    return this.newestStmt.get() ?? null;
  }

  /**
   * Totals for each of `days`, in order (a day without entries has zeros). The days are cut by the
   * caller in the one local zone (lib/util/time.ts localDaySpans), never by SQLite's 'localtime',
   * which can disagree with Node's zone (a container without zoneinfo treats every zone as UTC).
   */
  daily(days: readonly { date: string; start: number; end: number }[]): DayTotals[] {
    const day = this.db.prepare<[number, number], Omit<DayTotals, 'date' | 'models'> & { models: string | null }>(
      `SELECT COUNT(*) AS entries, COALESCE(SUM(input), 0) AS input, COALESCE(SUM(output), 0) AS output,
         COALESCE(SUM(cache_write_5m + cache_write_1h), 0) AS cache_creation, COALESCE(SUM(cache_read), 0) AS cache_read,
         COALESCE(SUM(cost_usd), 0) AS cost_usd, GROUP_CONCAT(DISTINCT NULLIF(model, '<synthetic>')) AS models
       FROM entries WHERE ts >= ? AND ts < ?`,
    );
    return days.map((d) => {
      const r = day.get(d.start, d.end)!;
      return { ...r, date: d.date, models: r.models ? r.models.split(',').sort() : [] };
    });
  }

  /** The first and last entry times in [from, to), or null when there is none. */
  timeSpan(fromMs: number, toMs: number): { first: number; last: number } | null {
    const r = this.db
      .prepare<[number, number], { first: number | null; last: number | null }>(
        'SELECT MIN(ts) AS first, MAX(ts) AS last FROM entries WHERE ts >= ? AND ts < ?',
      )
      .get(fromMs, toMs);
    return r && r.first !== null && r.last !== null ? { first: r.first, last: r.last } : null;
  }

  /** Each session's models in [from, to), sorted (synthetic responses left out). */
  sessionModels(fromMs: number, toMs: number): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const r of this.db
      .prepare<[number, number], { session_id: string; models: string | null }>(
        `SELECT session_id, GROUP_CONCAT(DISTINCT NULLIF(model, '<synthetic>')) AS models FROM entries WHERE ts >= ? AND ts < ? GROUP BY session_id`,
      )
      .all(fromMs, toMs)) {
      out.set(r.session_id, r.models ? r.models.split(',').sort() : []);
    }
    return out;
  }

  /** Per project, the costliest first. */
  byProject(fromMs: number, toMs: number): (GroupTotals & { project: string; sessions: number })[] {
    return this.db
      .prepare<[number, number], GroupTotals & { project: string; sessions: number }>(
        `SELECT project, COUNT(DISTINCT session_id) AS sessions, COUNT(*) AS entries, SUM(input + output) AS limit_tokens,
           SUM(input + output + cache_write_5m + cache_write_1h + cache_read) AS total_tokens, SUM(cost_usd) AS cost_usd
         FROM entries WHERE ts >= ? AND ts < ? GROUP BY project ORDER BY cost_usd DESC, project`,
      )
      .all(fromMs, toMs);
  }

  /** Per model (synthetic responses left out), the costliest first. */
  byModel(fromMs: number, toMs: number): (GroupTotals & { model: string })[] {
    return this.db
      .prepare<[number, number], GroupTotals & { model: string }>(
        `SELECT model, COUNT(*) AS entries, SUM(input + output) AS limit_tokens,
           SUM(input + output + cache_write_5m + cache_write_1h + cache_read) AS total_tokens, SUM(cost_usd) AS cost_usd
         FROM entries WHERE ts >= ? AND ts < ? AND model != '<synthetic>' GROUP BY model ORDER BY cost_usd DESC, model`,
      )
      .all(fromMs, toMs);
  }

  /** Input + output tokens per minute in [from, to), each with the minute's last entry time, oldest first. */
  perMinute(fromMs: number, toMs: number): { last_ts: number; tokens: number }[] {
    return this.db
      .prepare<[number, number], { last_ts: number; tokens: number }>(
        `SELECT MAX(ts) AS last_ts, SUM(input + output) AS tokens FROM entries WHERE ts >= ? AND ts < ?
         GROUP BY ts / 60000 ORDER BY last_ts`,
      )
      .all(fromMs, toMs);
  }

  /** Recomputes every stored cost, e.g. after the user changed the price table. */
  reprice(price: (row: EntryRow) => { cost: number; estimated: boolean }): number {
    let n = 0;
    this.write(() => {
      for (const row of this.allForCostStmt.all()) {
        const p = price(row);
        this.setCostStmt.run(p.cost, p.estimated ? 1 : 0, row.key);
        n++;
      }
    });
    return n;
  }
}
