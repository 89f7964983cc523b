import type { DB } from './db.ts';
import type { Write } from './store.ts';

/** How one run of claude-monitor ended (or why it was not run). */
export const MONITOR_OUTCOMES = [
  'ok',
  'near_limit',
  'limit_hit',
  'no_active_session',
  'no_data',
  'invalid',
  'timeout',
  'error',
  'missing',
  'v3',
] as const;
export type MonitorOutcome = (typeof MONITOR_OUTCOMES)[number];

/** Outcomes that carry a snapshot worth keeping. */
export const ANSWERS: ReadonlySet<MonitorOutcome> = new Set(['ok', 'near_limit', 'limit_hit', 'no_active_session']);

/**
 * claude-monitor's cached output, one row per key:
 * - `snapshot`: the last run that answered (status ok | near_limit | limit_hit | no_active_session), with
 *   the JSON it printed (`payload`, already validated once), `generated_at` from it and `ts` when stored;
 * - `attempt`: the last run whatever it gave (`status` a MonitorOutcome, `detail` what went wrong), so a
 *   failing monitor is retried once per cache TTL, not on every hook;
 * - `install`: a finding that stops runs until `until` (`v3`: an install without JSON output;
 *   `missing`: no such command);
 * - `lock`: the refresh running now, claimed by one hook process at a time, void after `until`.
 * Times are ms since the epoch.
 */
export interface MonitorCacheRow {
  key: string;
  status: string;
  ts: number;
  until: number | null;
  exit_code: number | null;
  generated_at: number | null;
  payload: string | null;
  detail: string | null;
}

const EMPTY = { until: null, exit_code: null, generated_at: null, payload: null, detail: null };

export class MonitorCacheTable {
  private readonly getStmt;
  private readonly putStmt;
  private readonly delStmt;
  private readonly delOwnedStmt;

  /** `changed` is told when a new snapshot is stored: the store then voids cached decisions. */
  constructor(
    db: DB,
    private readonly write: Write,
    private readonly changed: () => void,
  ) {
    this.getStmt = db.prepare<[string], MonitorCacheRow>('SELECT * FROM monitor_cache WHERE key = ?');
    this.putStmt = db.prepare<MonitorCacheRow>(
      `INSERT INTO monitor_cache (key, status, ts, until, exit_code, generated_at, payload, detail)
       VALUES (@key, @status, @ts, @until, @exit_code, @generated_at, @payload, @detail)
       ON CONFLICT(key) DO UPDATE SET status = excluded.status, ts = excluded.ts, until = excluded.until,
         exit_code = excluded.exit_code, generated_at = excluded.generated_at, payload = excluded.payload,
         detail = excluded.detail`,
    );
    this.delStmt = db.prepare<[string]>('DELETE FROM monitor_cache WHERE key = ?');
    this.delOwnedStmt = db.prepare<[string, string]>('DELETE FROM monitor_cache WHERE key = ? AND detail = ?');
  }

  get(key: 'snapshot' | 'attempt' | 'install' | 'lock'): MonitorCacheRow | undefined {
    return this.getStmt.get(key);
  }

  /** Stores one run's result: always the attempt, the snapshot too when it answered. */
  recordRun(r: {
    outcome: MonitorOutcome;
    ts: number;
    exitCode: number | null;
    detail: string | null;
    snapshot: { payload: string; generatedAt: number } | null;
    /** The command itself ran and took its arguments: a v3 or missing finding no longer holds. */
    clearsInstall?: boolean;
  }): void {
    this.write(() => {
      this.putStmt.run({
        ...EMPTY,
        key: 'attempt',
        status: r.outcome,
        ts: r.ts,
        exit_code: r.exitCode,
        detail: r.detail,
      });
      if (r.snapshot && ANSWERS.has(r.outcome)) {
        this.putStmt.run({
          ...EMPTY,
          key: 'snapshot',
          status: r.outcome,
          ts: r.ts,
          exit_code: r.exitCode,
          generated_at: r.snapshot.generatedAt,
          payload: r.snapshot.payload,
          detail: r.detail,
        });
        this.changed();
      }
      if (r.clearsInstall) this.delStmt.run('install');
    });
  }

  /** Remembers a finding that holds runs off until `until`. */
  putInstall(status: 'v3' | 'missing', ts: number, until: number, detail: string): void {
    this.write(() => this.putStmt.run({ ...EMPTY, key: 'install', status, ts, until, detail }));
  }

  /**
   * Claims the refresh for `owner` when none is running (or the running one's claim expired) and
   * `due()` still says one is needed, both read inside one immediate transaction: across every hook
   * process, one claim succeeds per refresh.
   */
  claimRefresh(now: number, expiresAt: number, owner: string, due: () => boolean): boolean {
    return this.write(() => {
      const lock = this.getStmt.get('lock');
      if (lock && lock.until !== null && lock.until > now) return false;
      if (!due()) return false;
      this.putStmt.run({ ...EMPTY, key: 'lock', status: 'refreshing', ts: now, until: expiresAt, detail: owner });
      return true;
    });
  }

  /** Drops the lock if `owner` still holds it. */
  releaseRefresh(owner: string): void {
    this.write(() => this.delOwnedStmt.run('lock', owner));
  }
}
