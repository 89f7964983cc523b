import type { Store } from '../store/store.ts';
import type { Config } from '../config/schema.ts';
import type { RecoveryRow } from '../store/recovery.ts';
import type { BackoffView, PauseView, UsageView } from './types.ts';
import { currentBackoff, isRateLimit, stepBackoff } from './backoff.ts';
import { activeBlock, finishedBlockTokens, summarizeBlock } from '../usage/summary.ts';
import { tokenLimitFor, type TokenLimit } from '../usage/limits.ts';
import { BLOCK_MS } from '../usage/blocks.ts';

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
  kind: 'backoff' | 'limit_pause';
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
  store.db
    .transaction(() => {
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
        // An Opus or Sonnet limit leaves the other model working (Claude Code switches): no pause.
        if (m.scope === 'opus' || m.scope === 'sonnet') continue;
        const cur = store.recovery.get(PAUSE_KEY);
        if (cur && cur.until !== null && cur.until >= m.reset_at) continue;
        store.recovery.put({
          key: PAUSE_KEY,
          kind: 'pause',
          session_id: null,
          level: 0,
          since: m.ts,
          until: m.reset_at,
          last_ts: m.ts,
          reason: `Claude's ${m.scope.replace('_', '-')} limit was reached ("${m.text.slice(0, 80)}")`,
        });
        changes.push({ kind: 'limit_pause', detail: m.text.slice(0, 80), until: m.reset_at });
      }
      // Rows dated too long ago to matter are passed over for good, not looked at again next time.
      lastErr = Math.max(lastErr, store.apiErrors.maxRowid());
      lastLimit = Math.max(lastLimit, store.limitMessages.maxRowid());
      if (lastErr > seenErr) store.meta.put('recovery_seen_error_rowid', lastErr);
      if (lastLimit > seenLimit) store.meta.put('recovery_seen_limit_rowid', lastLimit);
    })
    .immediate();
  return changes;
}

/** A StopFailure hook's report of an API error. */
export function recordApiFailure(store: Store, config: Config, kind: string, now: number): BackoffView | null {
  if (!isRateLimit(kind, null)) return null;
  let out: BackoffView | null = null;
  store.db
    .transaction(() => {
      const prev = backoffOf(store.recovery.get(BACKOFF_KEY));
      out = stepBackoff(prev, now, config.recovery.backoff);
      if (out !== prev) putBackoff(store, out, `StopFailure ${kind}`);
    })
    .immediate();
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
    const kind = r.key === PAUSE_KEY ? (r.reason.startsWith("Claude's") ? 'limit' : 'manual') : 'time';
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

/**
 * `ccguard resume`: lifts every pause and the backoff, and restarts the session clocks of the
 * sessions it un-pauses so the time limit does not pause them again at once.
 */
export function resumeAll(store: Store, now: number): string[] {
  const lifted: string[] = [];
  store.db
    .transaction(() => {
      for (const r of store.recovery.all()) {
        if (r.kind === 'pause' || r.kind === 'backoff' || r.kind === 'force') {
          if (r.until !== null && r.until > now) lifted.push(r.key);
          store.recovery.delete(r.key);
          if (r.session_id) {
            store.recovery.put({ key: `resume:${r.session_id}`, kind: 'resume', session_id: r.session_id, level: 0, since: now, until: null, last_ts: now, reason: 'ccguard resume' });
          }
        }
      }
      // Sessions that would hit the time limit right away get a fresh clock too.
      store.meta.put('resumed_all_at', now);
    })
    .immediate();
  return lifted;
}

export function forcedDegrade(store: Store, now: number): boolean {
  const r = store.recovery.get('force:cost');
  return r !== undefined && r.until !== null && r.until > now;
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

/** The token limit, with P90 cached until another block finishes. */
export function tokenLimit(store: Store, config: Config, now: number): TokenLimit {
  if (config.plan !== 'custom') return tokenLimitFor(config.plan, () => []);
  const latest = store.blocks.latest();
  const key = `${latest?.start ?? 0}:${latest && (latest.end <= now || now - latest.lastTs >= BLOCK_MS) ? 'done' : 'open'}`;
  const cached = store.meta.get('p90_cache');
  if (cached) {
    const [k, tokens, source] = cached.split('|');
    if (k === key && tokens && source) return { tokens: Number(tokens), source };
  }
  const lim = tokenLimitFor('custom', () => finishedBlockTokens(store, now));
  try {
    store.db.transaction(() => store.meta.put('p90_cache', `${key}|${lim.tokens}|${lim.source}`)).immediate();
  } catch {
    // a cache that cannot be written is recomputed next time
  }
  return lim;
}

/** The usage picture from ccguard's own records, against `lim` (the plan's, P90 or calibrated). */
export function localUsage(store: Store, config: Config, now: number, lim: TokenLimit = tokenLimit(store, config, now)): UsageView {
  const span = activeBlock(store, now);
  if (!span) {
    return {
      source: `local:${lim.source}`,
      limitTokens: lim.tokens,
      usedTokens: 0,
      share: 0,
      projectedShare: 0,
      costUsd: 0,
      blockStart: null,
      resetAt: null,
      tokensPerCall: 0,
      burnPerMinute: null,
    };
  }
  const b = summarizeBlock(store, span, now);
  return {
    source: `local:${lim.source}`,
    limitTokens: lim.tokens,
    usedTokens: b.limit_tokens,
    share: b.limit_tokens / lim.tokens,
    projectedShare: b.projection ? b.projection.limit_tokens / lim.tokens : null,
    costUsd: b.cost_usd,
    blockStart: span.start,
    resetAt: Date.parse(b.reset_at),
    tokensPerCall: b.entries > 0 ? b.limit_tokens / b.entries : 0,
    burnPerMinute: b.burn_rate?.limit_tokens_per_minute ?? null,
  };
}

/**
 * Pauses and backoffs that ran out since the last look, each reported once (the notice key dedupes
 * across processes). A day later they are no longer worth a notification.
 */
export function endedPauses(store: Store, now: number): { key: string; until: number; what: string }[] {
  return store.recovery
    .all()
    .filter((r) => (r.kind === 'pause' || r.kind === 'backoff') && r.until !== null && r.until <= now && now - r.until < 86_400_000)
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
  store.db
    .transaction(() => {
      store.events.prune(now - 30 * DAY);
      store.marks.prune(now - 30 * DAY);
      store.recovery.pruneEnded(now - 7 * DAY);
      store.meta.put('housekeeping_at', now);
    })
    .immediate();
}
