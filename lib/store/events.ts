import type { DB } from './db.ts';

/** What a hook did: every run is one row (a silent allow too, so latency and coverage can be shown). */
export interface EventRow {
  id?: number;
  ts: number;
  session_id: string | null;
  hook: string;
  tool: string | null;
  decision: string;
  state: string | null;
  reason: string | null;
  source: string | null;
  sleep_ms: number;
  duration_ms: number | null;
  detail: string | null;
}

/**
 * One event as a writer gives it: when, which hook (or 'cli') and what it decided, and whatever else
 * it knows; what it leaves out is stored as null (sleep_ms as 0).
 */
export type NewEvent = Pick<EventRow, 'ts' | 'hook' | 'decision'> &
  Partial<Omit<EventRow, 'id' | 'ts' | 'hook' | 'decision'>>;

/** The row for one event: every writer's event goes through here, so they all store the same shape. */
export function eventRow(e: NewEvent): EventRow {
  return {
    ts: e.ts,
    session_id: e.session_id ?? null,
    hook: e.hook,
    tool: e.tool ?? null,
    decision: e.decision,
    state: e.state ?? null,
    reason: e.reason ?? null,
    source: e.source ?? null,
    sleep_ms: e.sleep_ms ?? 0,
    duration_ms: e.duration_ms ?? null,
    detail: e.detail ?? null,
  };
}
export type ActedRow = Pick<EventRow, 'ts' | 'session_id' | 'hook' | 'tool' | 'decision' | 'reason' | 'sleep_ms'>;

export interface EventQuery {
  sinceId?: number;
  sessionId?: string;
  /** Sessions whose ID starts with this. */
  sessionPrefix?: string;
  limit?: number;
  /**
   * Only where ccguard acted or spoke: leave out silent allows and the hooks that only recorded
   * (as the report's decision lists do).
   */
  decisionsOnly?: boolean;
}

export class EventsTable {
  private readonly insertStmt;
  private readonly pruneStmt;
  private readonly latencyStmt;

  constructor(private readonly db: DB) {
    this.insertStmt = db.prepare<EventRow>(
      `INSERT INTO events (ts, session_id, hook, tool, decision, state, reason, source, sleep_ms, duration_ms, detail)
       VALUES (@ts, @session_id, @hook, @tool, @decision, @state, @reason, @source, @sleep_ms, @duration_ms, @detail)`,
    );
    this.pruneStmt = db.prepare<[number]>('DELETE FROM events WHERE ts < ?');
    this.latencyStmt = db
      .prepare<[string, number], number>(
        'SELECT duration_ms FROM events WHERE hook = ? AND duration_ms IS NOT NULL ORDER BY id DESC LIMIT ?',
      )
      .pluck();
  }

  insert(e: NewEvent): number {
    return Number(this.insertStmt.run(eventRow(e)).lastInsertRowid);
  }

  list(q: EventQuery = {}): EventRow[] {
    const where: string[] = ['id > @sinceId'];
    if (q.sessionId) where.push('session_id = @sessionId');
    if (q.sessionPrefix) where.push('substr(session_id, 1, length(@sessionPrefix)) = @sessionPrefix');
    if (q.decisionsOnly) where.push("decision NOT IN ('allow', 'record')");
    return this.db
      .prepare<{ sinceId: number; sessionId: string | null; sessionPrefix: string | null; limit: number }, EventRow>(
        `SELECT * FROM (SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit) ORDER BY id`,
      )
      .all({
        sinceId: q.sinceId ?? 0,
        sessionId: q.sessionId ?? null,
        sessionPrefix: q.sessionPrefix ?? null,
        limit: q.limit ?? 1000,
      });
  }

  /** Up to `max` session IDs with events that start with `prefix` (the 8 characters tables show). */
  sessionsStartingWith(prefix: string, max = 5): string[] {
    return this.db
      .prepare<[string, string, number], string>(
        'SELECT DISTINCT session_id FROM events WHERE substr(session_id, 1, length(?)) = ? ORDER BY session_id LIMIT ?',
      )
      .pluck()
      .all(prefix, prefix, max);
  }

  /** True once any hook has run (the CLI's own rows do not count). */
  anyFromHooks(): boolean {
    return (
      this.db.prepare<[string], number>('SELECT 1 FROM events WHERE hook != ? LIMIT 1').pluck().get('cli') !== undefined
    );
  }

  /** The oldest event kept (any hook or command), or undefined before the first: since when ccguard has been watching. */
  firstTs(): number | undefined {
    return this.db.prepare<[], number | null>('SELECT MIN(ts) FROM events').pluck().get() ?? undefined;
  }

  /** When `hook` last ran, or undefined when it never has. */
  lastRunAt(hook: string): number | undefined {
    return this.db
      .prepare<[string], number>('SELECT ts FROM events WHERE hook = ? ORDER BY id DESC LIMIT 1')
      .pluck()
      .get(hook);
  }

  /** Where ccguard acted or spoke in [from, to) (no silent allows, no record-only rows), in order. */
  actedBetween(fromMs: number, toMs: number): ActedRow[] {
    return this.db
      .prepare<[number, number], ActedRow>(
        `SELECT ts, session_id, hook, tool, decision, reason, sleep_ms FROM events
         WHERE ts >= ? AND ts < ? AND decision NOT IN ('allow', 'record') ORDER BY ts, id`,
      )
      .all(fromMs, toMs);
  }

  /** How often each session met each decision in [from, to) (the same rows as actedBetween). */
  decisionCounts(fromMs: number, toMs: number): { session_id: string; decision: string; n: number }[] {
    return this.db
      .prepare<[number, number], { session_id: string; decision: string; n: number }>(
        `SELECT session_id, decision, COUNT(*) AS n FROM events
         WHERE ts >= ? AND ts < ? AND session_id IS NOT NULL AND decision NOT IN ('allow', 'record')
         GROUP BY session_id, decision`,
      )
      .all(fromMs, toMs);
  }

  /**
   * Unattended sessions left waiting since `sinceMs`: each one whose last gated or failed hook run
   * was a deferral (`defer`) or a stop on the usage limit (`limit_stop`), newest first. A session
   * resumed since has a later PreToolUse or UserPromptSubmit decision and drops out (a notification
   * row that a decision sent is not one).
   */
  waiting(sinceMs: number, max = 50): EventRow[] {
    return this.db
      .prepare<[number, number], EventRow>(
        `SELECT e.* FROM events e
         WHERE e.decision IN ('defer', 'limit_stop') AND e.ts >= ? AND e.session_id IS NOT NULL
           AND e.id = (SELECT MAX(x.id) FROM events x WHERE x.session_id = e.session_id
                       AND (x.decision IN ('defer', 'limit_stop') OR (x.hook IN ('PreToolUse', 'UserPromptSubmit') AND x.decision != 'notify')))
         ORDER BY e.id DESC LIMIT ?`,
      )
      .all(sinceMs, max);
  }

  /** The deferrals and limit stops recorded since `sinceMs`, oldest first. */
  stopsSince(sinceMs: number): EventRow[] {
    return this.db
      .prepare<[number], EventRow>(
        `SELECT * FROM events WHERE decision IN ('defer', 'limit_stop') AND ts >= ? ORDER BY id`,
      )
      .all(sinceMs);
  }

  /** The last `n` durations of one hook, newest first. */
  latencies(hook: string, n = 500): number[] {
    return this.latencyStmt.all(hook, n);
  }

  prune(beforeMs: number): void {
    this.pruneStmt.run(beforeMs);
  }
}
