import type { Store } from '../store/store.ts';
import type { Config } from '../config/schema.ts';
import type { RecoveryRow } from '../store/recovery.ts';
import type { BackoffView, PauseView } from '../policy/types.ts';
import { currentBackoff, isRateLimit, stepBackoff } from '../policy/backoff.ts';
import { BLOCK_MS } from '../util/blocks.ts';

const BACKOFF_KEY = 'backoff';
const PAUSE_KEY = 'pause';

function backoffOf(row: RecoveryRow | undefined): BackoffView | null {
  return row && row.until !== null && row.last_ts !== null ? { level: row.level, until: row.until, lastErrorAt: row.last_ts } : null;
}

function putBackoff(store: Store, b: BackoffView, reason: string): void {
  store.recovery.put({
    key: BACKOFF_KEY,
    kind: 'backoff',
    session_id: null,
    level: b.level,
    since: b.lastErrorAt,
    until: b.until,
    last_ts: b.lastErrorAt,
    reason,
  });
}

export interface RecoveryChange {
  kind: 'backoff' | 'limit';
  /** For a limit line: five_hour, weekly, usage, opus or sonnet. */
  scope?: string;
  detail: string;
  until: number;
  level?: number;
}

/**
 * Folds API errors and limit messages imported since the last look into the shared recovery state.
 * Runs inside one immediate transaction, so parallel hooks apply each error exactly once.
 */
export function syncRecovery(store: Store, config: Config, now: number): RecoveryChange[] {
  const changes: RecoveryChange[] = [];
  store.write(() => {
    // Watermarks are the order rows were stored in, not their timestamps: a message dated a little
    // earlier but imported later (another session's transcript) must still be seen.
    const seenErr = store.meta.getNumber('recovery_seen_error_rowid') ?? 0;
    const seenLimit = store.meta.getNumber('recovery_seen_limit_rowid') ?? 0;
    let lastErr = seenErr;
    let lastLimit = seenLimit;
    let b = backoffOf(store.recovery.get(BACKOFF_KEY));
    for (const e of store.apiErrors.storedAfter(seenErr, now - BLOCK_MS)) {
      lastErr = Math.max(lastErr, e.rid);
      if (!isRateLimit(e.kind, e.status) || e.ts > now + 60_000) continue;
      const next = stepBackoff(b, e.ts, config.recovery.backoff);
      if (next !== b) {
        b = next;
        putBackoff(store, b, `API ${e.status ?? ''} ${e.kind}`.trim());
        if (b.until > now) changes.push({ kind: 'backoff', detail: e.kind, until: b.until, level: b.level });
      }
    }
    for (const m of store.limitMessages.storedAfter(seenLimit, now - BLOCK_MS)) {
      lastLimit = Math.max(lastLimit, m.rid);
      if (m.reset_at === null || m.reset_at <= now) continue;
      // The limit line itself is the server's figure (lib/usage/sources.ts reads it as 100% of its
      // window until the exact reset, or as a hold on one model family): nothing to store here
      // but the news, and the cached decisions it voids.
      store.inputsChanged = true;
      changes.push({ kind: 'limit', scope: m.scope, detail: m.text.slice(0, 80), until: m.reset_at });
    }
    // Rows dated too long ago to matter are passed over for good, not looked at again next time.
    lastErr = Math.max(lastErr, store.apiErrors.maxRowid());
    lastLimit = Math.max(lastLimit, store.limitMessages.maxRowid());
    if (lastErr > seenErr) store.meta.putNumber('recovery_seen_error_rowid', lastErr);
    if (lastLimit > seenLimit) store.meta.putNumber('recovery_seen_limit_rowid', lastLimit);
  });
  return changes;
}

/** A StopFailure hook's report of an API error. */
export function recordApiFailure(store: Store, config: Config, kind: string, now: number): BackoffView | null {
  if (!isRateLimit(kind, null)) return null;
  let out: BackoffView | null = null;
  store.write(() => {
    const prev = backoffOf(store.recovery.get(BACKOFF_KEY));
    out = stepBackoff(prev, now, config.recovery.backoff);
    if (out !== prev) putBackoff(store, out, `StopFailure ${kind}`);
  });
  return out;
}

export function backoffView(store: Store, config: Config, now: number): BackoffView | null {
  return currentBackoff(backoffOf(store.recovery.get(BACKOFF_KEY)), now, config.recovery.backoff);
}

/** The pause that applies to this session: the global one (manual or a limit message) or its own. */
export function pauseView(store: Store, sessionId: string | null, now: number): PauseView | null {
  const rows = [store.recovery.get(PAUSE_KEY), sessionId ? store.recovery.get(`${PAUSE_KEY}:${sessionId}`) : undefined];
  let best: PauseView | null = null;
  for (const r of rows) {
    if (!r || r.until === null || r.until <= now) continue;
    const kind = r.key === PAUSE_KEY ? 'manual' : 'time';
    if (!best || r.until > best.until) {
      best = { scope: r.session_id ? 'session' : 'global', kind, until: r.until, reason: r.reason };
    }
  }
  return best;
}

export function startSessionPause(store: Store, sessionId: string, now: number, until: number, reason: string): void {
  store.recovery.put({ key: `${PAUSE_KEY}:${sessionId}`, kind: 'pause', session_id: sessionId, level: 0, since: now, until, last_ts: now, reason });
}

export function startManualPause(store: Store, now: number, until: number, reason: string): void {
  store.recovery.put({ key: PAUSE_KEY, kind: 'pause', session_id: null, level: 0, since: now, until, last_ts: now, reason });
}

/** What `ccguard resume` lifted, for it to say in words. */
export interface Lifted {
  /** The global pause (by hand, or an alert fired by hand) that was in force. */
  pause: { until: number; reason: string } | null;
  /** Sessions whose time pause was in force. */
  sessionPauses: string[];
  backoff: { until: number; level: number } | null;
  /** Degradation forced by `ccguard alert cost`. */
  forcedDegrade: boolean;
  /** Pacing and limit holds now lifted until this time. */
  holdsUntil: number | null;
}

const LIFT_KEY = 'lift';

/**
 * `ccguard resume`: lifts every pause, the backoff and forced degradation, and restarts the session
 * clocks of the sessions it un-pauses so the time limit does not pause them again at once. With
 * `liftHoldsUntil`, pacing and limit holds (on the server's figures or a configured limit) warn
 * instead of holding until then.
 */
export function resumeAll(store: Store, now: number, liftHoldsUntil: number | null = null): Lifted {
  const lifted: Lifted = { pause: null, sessionPauses: [], backoff: null, forcedDegrade: false, holdsUntil: null };
  store.write(() => {
    for (const r of store.recovery.all()) {
      if (r.kind === 'pause' || r.kind === 'backoff' || r.kind === 'force') {
        const inForce = r.until !== null && r.until > now;
        if (inForce && r.kind === 'pause' && r.session_id) lifted.sessionPauses.push(r.session_id);
        else if (inForce && r.kind === 'pause') lifted.pause = { until: r.until!, reason: r.reason };
        else if (inForce && r.kind === 'backoff') lifted.backoff = { until: r.until!, level: r.level };
        else if (inForce && r.kind === 'force') lifted.forcedDegrade = true;
        store.recovery.delete(r.key);
        if (r.session_id) {
          store.recovery.put({ key: `resume:${r.session_id}`, kind: 'resume', session_id: r.session_id, level: 0, since: now, until: null, last_ts: now, reason: 'ccguard resume' });
        }
      }
    }
    if (liftHoldsUntil !== null && liftHoldsUntil > now) {
      store.recovery.put({ key: LIFT_KEY, kind: 'lift', session_id: null, level: 0, since: now, until: liftHoldsUntil, last_ts: now, reason: 'ccguard resume' });
      lifted.holdsUntil = liftHoldsUntil;
    }
    // Sessions that would hit the time limit right away get a fresh clock too.
    store.meta.putNumber('resumed_all_at', now);
  });
  return lifted;
}

/** Until when `ccguard resume` lifted pacing and limit holds, or null. */
export function liftedUntil(store: Store, now: number): number | null {
  const r = store.recovery.get(LIFT_KEY);
  return r && r.until !== null && r.until > now ? r.until : null;
}

export function forcedDegrade(store: Store, now: number): boolean {
  return forcedDegradeUntil(store, now) !== null;
}

/** When the degradation `ccguard alert cost` forced ends, while it is in force. */
export function forcedDegradeUntil(store: Store, now: number): number | null {
  const r = store.recovery.get('force:cost');
  return r !== undefined && r.until !== null && r.until > now ? r.until : null;
}

export function forceDegrade(store: Store, now: number, until: number): void {
  store.recovery.put({ key: 'force:cost', kind: 'force', session_id: null, level: 0, since: now, until, last_ts: now, reason: 'ccguard alert cost' });
}

const CLOCK_LOOKBACK_MS = 7 * 86_400_000;
const IDLE_RESET_MS = 8 * 3_600_000;

/** When the session's time-limit clock started: its first activity, or its last resume. */
export function sessionClockFrom(store: Store, sessionId: string, now: number): number | null {
  // The clock runs from the start of the session's current stretch of work: entries dated more than a
  // week back, or before a quiet spell of IDLE_RESET_MS (a session left open overnight), do not count,
  // and one line dated 1970 cannot pause a session at once.
  let first: number | null = null;
  for (const t of store.entries.sessionTimesNewestFirst(sessionId, now - CLOCK_LOOKBACK_MS)) {
    if (first !== null && first - t >= IDLE_RESET_MS) break; // ends the iterator: the rest is never read
    first = t;
  }
  if (first === null) return null;
  // A time pause that has run out starts the clock afresh: "paused until" means it.
  const ended = store.recovery.get(`pause:${sessionId}`);
  if (ended && ended.until !== null && ended.until <= now) first = Math.max(first, ended.until);
  const resumed = store.recovery.get(`resume:${sessionId}`)?.since ?? 0;
  const all = store.meta.getNumber('resumed_all_at') ?? 0;
  return Math.max(first, resumed, all);
}

/**
 * Pauses and backoffs that ran out since the last look, each reported once (the notice key dedupes
 * across processes). A day later they are no longer worth a notification, and one that ended before
 * ccguard recorded anything (its first event) is no news at all: a backoff folded from the history
 * a first run imports ended before anyone was held by it.
 */
export function endedPauses(store: Store, now: number): { key: string; until: number; what: string }[] {
  const watchingSince = store.events.firstTs();
  if (watchingSince === undefined) return [];
  return store.recovery
    .all()
    .filter((r) => (r.kind === 'pause' || r.kind === 'backoff') && r.until !== null && r.until <= now && r.until > watchingSince && now - r.until < 86_400_000)
    .map((r) => ({
      key: r.key,
      until: r.until!,
      what: r.kind === 'backoff' ? 'The rate-limit backoff' : r.session_id ? `The pause of session ${r.session_id.slice(0, 8)}` : 'The pause',
    }));
}

const DAY = 86_400_000;

/** Once a day: events, marks and readings older than 30 days go, so the database stays small. */
export function housekeeping(store: Store, now: number): void {
  const last = store.meta.getNumber('housekeeping_at') ?? 0;
  if (now - last < DAY && now >= last) return;
  store.write(() => {
    store.events.prune(now - 30 * DAY);
    store.marks.prune(now - 30 * DAY);
    store.recovery.pruneEnded(now - 7 * DAY);
    store.meta.putNumber('housekeeping_at', now);
  });
}
