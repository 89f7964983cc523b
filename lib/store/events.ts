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

export interface EventQuery {
  sinceId?: number;
  sessionId?: string;
  limit?: number;
  /** Leave out silent allows. */
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
    this.latencyStmt = db.prepare<[string, number], number>(
      'SELECT duration_ms FROM events WHERE hook = ? AND duration_ms IS NOT NULL ORDER BY id DESC LIMIT ?',
    ).pluck();
  }

  insert(row: EventRow): number {
    return Number(this.insertStmt.run({ ...row, id: undefined } as EventRow).lastInsertRowid);
  }

  list(q: EventQuery = {}): EventRow[] {
    const where: string[] = ['id > @sinceId'];
    if (q.sessionId) where.push('session_id = @sessionId');
    if (q.decisionsOnly) where.push("decision != 'allow'");
    return this.db
      .prepare<{ sinceId: number; sessionId: string | null; limit: number }, EventRow>(
        `SELECT * FROM (SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit) ORDER BY id`,
      )
      .all({ sinceId: q.sinceId ?? 0, sessionId: q.sessionId ?? null, limit: q.limit ?? 1000 });
  }

  /** The last `n` durations of one hook, newest first. */
  latencies(hook: string, n = 500): number[] {
    return this.latencyStmt.all(hook, n);
  }

  prune(beforeMs: number): void {
    this.pruneStmt.run(beforeMs);
  }
}
