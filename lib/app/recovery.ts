import type { Store } from '../store/store.ts';
import type { Config } from '../config/schema.ts';
import type { RecoveryRow } from '../store/recovery.ts';
import type { BackoffView, LiftScope, Lifts, PauseView } from '../policy/types.ts';
import { currentBackoff, isRateLimit, stepBackoff } from '../policy/backoff.ts';
import { BLOCK_MS } from '../util/blocks.ts';

// Account-wide rows carry their account in the key (one backoff, one manual pause, one lift per
// hold of each account); a session's own rows are keyed by the session, which has one account.
const backoffKey = (account: string): string => `backoff@${account}`;
const pauseKey = (account: string): string => `pause@${account}`;
const sessionPauseKey = (sessionId: string): string => `pause:${sessionId}`;
const liftKey = (account: string, scope: LiftScope): string => `lift@${account}:${scope}`;
const resumedKey = (account: string): string => `resume@${account}`;
const LIFT_SCOPES: readonly LiftScope[] = ['five_hour', 'seven_day', 'opus', 'sonnet'];

/** The account a transcript row belongs to: its session's, as its hooks saw it, else its folder's. */
function rowAccount(store: Store, row: { session_id: string; account: string }): string {
  return store.sessions.get(row.session_id)?.account ?? row.account;
}

function backoffOf(row: RecoveryRow | undefined): BackoffView | null {
  return row && row.until !== null && row.last_ts !== null
    ? { level: row.level, until: row.until, lastErrorAt: row.last_ts }
    : null;
}

function putBackoff(store: Store, account: string, b: BackoffView, reason: string): void {
  store.recovery.put({
    key: backoffKey(account),
    account,
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
  /** Whose it is. */
  account: string;
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
    for (const e of store.apiErrors.storedAfter(seenErr, now - BLOCK_MS)) {
      lastErr = Math.max(lastErr, e.rid);
      if (!isRateLimit(e.kind, e.status) || e.ts > now + 60_000) continue;
      // A 429 backs off the account that met it, no other.
      const account = rowAccount(store, e);
      const b = backoffOf(store.recovery.get(backoffKey(account)));
      const next = stepBackoff(b, e.ts, config.recovery.backoff);
      if (next !== b) {
        putBackoff(store, account, next, `API ${e.status ?? ''} ${e.kind}`.trim());
        if (next.until > now)
          changes.push({ kind: 'backoff', detail: e.kind, until: next.until, level: next.level, account });
      }
    }
    for (const m of store.limitMessages.storedAfter(seenLimit, now - BLOCK_MS)) {
      lastLimit = Math.max(lastLimit, m.rid);
      if (m.reset_at === null || m.reset_at <= now) continue;
      // The limit line itself is the server's figure (lib/usage/sources.ts reads it as 100% of its
      // window until the exact reset, or as a hold on one model family): nothing to store here
      // but the news, and the cached decisions it voids.
      store.inputsChanged = true;
      changes.push({
        kind: 'limit',
        scope: m.scope,
        detail: m.text.slice(0, 80),
        until: m.reset_at,
        account: m.account,
      });
    }
    // Rows dated too long ago to matter are passed over for good, not looked at again next time.
    lastErr = Math.max(lastErr, store.apiErrors.maxRowid());
    lastLimit = Math.max(lastLimit, store.limitMessages.maxRowid());
    if (lastErr > seenErr) store.meta.putNumber('recovery_seen_error_rowid', lastErr);
    if (lastLimit > seenLimit) store.meta.putNumber('recovery_seen_limit_rowid', lastLimit);
  });
  return changes;
}

/** A StopFailure hook's report of an API error: the account of the session that met it backs off. */
export function recordApiFailure(
  store: Store,
  config: Config,
  account: string,
  kind: string,
  now: number,
): BackoffView | null {
  if (!isRateLimit(kind, null)) return null;
  let out: BackoffView | null = null;
  store.write(() => {
    const prev = backoffOf(store.recovery.get(backoffKey(account)));
    out = stepBackoff(prev, now, config.recovery.backoff);
    if (out !== prev) putBackoff(store, account, out, `StopFailure ${kind}`);
  });
  return out;
}

export function backoffView(store: Store, config: Config, account: string, now: number): BackoffView | null {
  return currentBackoff(backoffOf(store.recovery.get(backoffKey(account))), now, config.recovery.backoff);
}

/** The pause that applies to this session: its account's (by hand) or its own (time). */
export function pauseView(store: Store, account: string, sessionId: string | null, now: number): PauseView | null {
  const rows = [
    store.recovery.get(pauseKey(account)),
    sessionId ? store.recovery.get(sessionPauseKey(sessionId)) : undefined,
  ];
  let best: PauseView | null = null;
  for (const r of rows) {
    if (!r || r.until === null || r.until <= now) continue;
    const kind = r.session_id ? 'time' : 'manual';
    if (!best || r.until > best.until) {
      best = { scope: r.session_id ? 'session' : 'global', kind, until: r.until, reason: r.reason };
    }
  }
  return best;
}

export function startSessionPause(
  store: Store,
  account: string,
  sessionId: string,
  now: number,
  until: number,
  reason: string,
): void {
  putPause(store, account, sessionId, now, until, reason);
}

/** `ccguard pause`: every session of the account is paused until then. */
export function startManualPause(store: Store, account: string, now: number, until: number, reason: string): void {
  putPause(store, account, null, now, until, reason);
}

/** One session's pause, or the account's (sessionId null). */
function putPause(
  store: Store,
  account: string,
  sessionId: string | null,
  now: number,
  until: number,
  reason: string,
): void {
  store.recovery.put({
    key: sessionId === null ? pauseKey(account) : sessionPauseKey(sessionId),
    kind: 'pause',
    session_id: sessionId,
    level: 0,
    since: now,
    until,
    last_ts: now,
    reason,
    account,
  });
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
  /** The holds lifted, each until its own end. */
  holds: Lifts;
}

/**
 * `ccguard resume` for one account: lifts its pauses (by hand and its sessions' time pauses), its
 * backoff, the forced degradation, and restarts the session clocks of the sessions it un-pauses so
 * the time limit does not pause them again at once. `lifts` names the holds on usage figures lifted
 * (a window, a model family), each until its own end: they warn instead of holding meanwhile, and a
 * hold that comes later (another window's limit) holds.
 */
export function resumeAccount(store: Store, account: string, now: number, lifts: Lifts = {}): Lifted {
  const lifted: Lifted = { pause: null, sessionPauses: [], backoff: null, forcedDegrade: false, holds: {} };
  store.write(() => {
    for (const r of store.recovery.all()) {
      // Cost degradation forced by hand is not any account's: every resume lifts it.
      if (r.kind !== 'force' && r.account !== account) continue;
      if (r.kind === 'pause' || r.kind === 'backoff' || r.kind === 'force') {
        const inForce = r.until !== null && r.until > now;
        if (inForce && r.kind === 'pause' && r.session_id) lifted.sessionPauses.push(r.session_id);
        else if (inForce && r.kind === 'pause') lifted.pause = { until: r.until!, reason: r.reason };
        else if (inForce && r.kind === 'backoff') lifted.backoff = { until: r.until!, level: r.level };
        else if (inForce && r.kind === 'force') lifted.forcedDegrade = true;
        store.recovery.delete(r.key);
        if (r.session_id) {
          store.recovery.put({
            key: `resume:${r.session_id}`,
            kind: 'resume',
            session_id: r.session_id,
            level: 0,
            since: now,
            until: null,
            last_ts: now,
            reason: 'ccguard resume',
            account,
          });
        }
      }
    }
    for (const scope of LIFT_SCOPES) {
      const until = lifts[scope];
      if (until === undefined || until <= now) continue;
      store.recovery.put({
        key: liftKey(account, scope),
        kind: 'lift',
        session_id: null,
        level: 0,
        since: now,
        until,
        last_ts: now,
        reason: 'ccguard resume',
        account,
      });
      lifted.holds[scope] = until;
    }
    // The account's sessions that would hit the time limit right away get a fresh clock too.
    store.recovery.put({
      key: resumedKey(account),
      kind: 'resume',
      session_id: null,
      level: 0,
      since: now,
      until: null,
      last_ts: now,
      reason: 'ccguard resume',
      account,
    });
  });
  return lifted;
}

/** The holds `ccguard resume` lifted for the account, each until when. */
export function liftsOf(store: Store, account: string, now: number): Lifts {
  const out: Lifts = {};
  for (const scope of LIFT_SCOPES) {
    const r = store.recovery.get(liftKey(account, scope));
    if (r && r.until !== null && r.until > now) out[scope] = r.until;
  }
  return out;
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
  store.recovery.put({
    key: 'force:cost',
    kind: 'force',
    session_id: null,
    level: 0,
    since: now,
    until,
    last_ts: now,
    reason: 'ccguard alert cost',
    account: '',
  });
}

const CLOCK_LOOKBACK_MS = 7 * 86_400_000;
const IDLE_RESET_MS = 8 * 3_600_000;

/** When the session's time-limit clock started: its first activity, or its last resume. */
export function sessionClockFrom(store: Store, account: string, sessionId: string, now: number): number | null {
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
  const ended = store.recovery.get(sessionPauseKey(sessionId));
  if (ended && ended.until !== null && ended.until <= now) first = Math.max(first, ended.until);
  const resumed = store.recovery.get(`resume:${sessionId}`)?.since ?? 0;
  return Math.max(first, resumed, lastResumeAt(store, account));
}

/** When `ccguard resume` last ran for the account (0: never); `resumed_all_at` is one from before accounts. */
export function lastResumeAt(store: Store, account: string): number {
  return Math.max(store.recovery.get(resumedKey(account))?.since ?? 0, store.meta.getNumber('resumed_all_at') ?? 0);
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
    .filter(
      (r) =>
        (r.kind === 'pause' || r.kind === 'backoff') &&
        r.until !== null &&
        r.until <= now &&
        r.until > watchingSince &&
        now - r.until < 86_400_000,
    )
    .map((r) => ({
      key: r.key,
      until: r.until!,
      what:
        r.kind === 'backoff'
          ? 'The rate-limit backoff'
          : r.session_id
            ? `The pause of session ${r.session_id.slice(0, 8)}`
            : 'The pause',
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
