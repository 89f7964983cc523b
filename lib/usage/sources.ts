// Where the usage figure a decision rests on comes from, best first:
//   1. the server's own utilization, as Claude Code's status line reported it (`server:five_hour`),
//      while fresh (limits.server_fresh_seconds) and not past its reset;
//   2. claude-monitor's output (`claude-monitor:<plan>`), from a run or its state file, validated and
//      cached in SQLite by a detached refresh, while not older than max_age_seconds;
//   3. ccguard's own estimate (`local:<limit source>`), against the calibrated limit once the server has
//      been seen (`local:calibrated`), else the plan's or P90.
// Stale data never blocks: a source past its freshness falls to the next. The weekly window comes
// from the server (or claude-monitor) only, and rides along on the 5-hour view.
import type { Store } from '../store/store.ts';
import type { Config } from '../config/schema.ts';
import type { UsageConfidence, UsageView, UsageWindow } from '../policy/types.ts';
import { localUsage } from '../policy/state.ts';
import { RateLimitsTable, type RateLimitRow } from '../store/rateLimits.ts';
import { MonitorCacheTable, type MonitorCacheRow } from '../store/monitorCache.ts';
import { BLOCK_MS } from './blocks.ts';
import type { TokenLimit } from './limits.ts';
import { foldServerReadings, localLimit, readCalibration, readCalibrationError } from './calibration.ts';
import { commandFound, monitorSettings, type MonitorSettings } from '../monitor/settings.ts';
import type { MonitorSnapshot, MonitorWindow } from '../monitor/snapshot.ts';
import { storedSnapshot } from '../monitor/stored.ts';
import { startRefresh, type RefreshStart } from '../monitor/trigger.ts';
import type { Env } from '../util/paths.ts';

const WEEK_MS = 7 * 24 * 3_600_000;
const SPAN: Record<UsageWindow, number> = { five_hour: BLOCK_MS, seven_day: WEEK_MS };

export interface UsageViewOptions {
  /** Fold new server readings into the calibration first (call after an import: the tokens must be in). */
  calibrate?: boolean;
  /** Start a detached claude-monitor refresh when its cached output is stale and could be used (hooks). */
  refresh?: { env: NodeJS.ProcessEnv } | null;
  /** Told about a failure of an optional step (calibration, refresh); the view is built regardless. */
  onError?: (what: string, err: unknown) => void;
  /** Told what the refresh trigger did. */
  onRefresh?: (r: RefreshStart) => void;
}

/** The server's latest reading of a window, if fresh and its window has not reset. */
export function freshServerReading(store: Store, config: Config, now: number, window: UsageWindow): RateLimitRow | null {
  const r = store.rateLimits.latest(window);
  if (!r) return null;
  const age = now - r.last_seen;
  if (age > config.limits.server_fresh_seconds * 1000 || age < -60_000) return null;
  if (r.resets_at !== null && r.resets_at <= now) return null;
  return r;
}

interface WindowFacts {
  tokens: number;
  tokensPerCall: number;
  burnPerMinute: number | null;
}

/** ccguard's own input + output tokens from `start` to now, with the rate over them. */
function windowFacts(store: Store, start: number, now: number): WindowFacts {
  const t = store.entries.totals(start, now + 1);
  const tokens = t.input + t.output;
  const spanMin = t.first_ts !== null && t.last_ts !== null ? (t.last_ts - t.first_ts) / 60_000 : 0;
  return { tokens, tokensPerCall: t.entries > 0 ? tokens / t.entries : 0, burnPerMinute: spanMin >= 1 ? tokens / spanMin : null };
}

/**
 * A view on a window whose used share someone else measured (the server, claude-monitor). Tokens are
 * ccguard's own count for that window where known, the limit then what the share implies; with no
 * count (nothing used here, or a share of 0) both are left proportional to `baseTokens`.
 */
function sharedView(
  store: Store,
  now: number,
  local: UsageView,
  a: { source: string; window: UsageWindow; share: number; resetAt: number | null; ageMs: number; confidence: UsageConfidence; tokensUsed?: number | null; tokenLimit?: number | null; burnPerMinute?: number | null },
  baseTokens: number,
): UsageView {
  const span = SPAN[a.window];
  const five = a.window === 'five_hour';
  const start = a.resetAt !== null ? a.resetAt - span : five ? local.blockStart : null;
  const facts = start !== null ? windowFacts(store, start, now) : null;
  const counted = a.tokensUsed ?? (facts ? facts.tokens : five ? local.usedTokens : 0);
  let usedTokens: number;
  let limitTokens: number;
  if (a.tokenLimit && a.tokenLimit > 0) {
    limitTokens = a.tokenLimit;
    usedTokens = a.tokensUsed ?? Math.round(a.share * a.tokenLimit);
  } else if (a.share > 0 && counted > 0) {
    usedTokens = counted;
    limitTokens = Math.max(1, Math.round(counted / a.share));
  } else {
    limitTokens = baseTokens;
    usedTokens = Math.round(a.share * baseTokens);
  }
  // The rate now: over the window for the 5-hour one; for the weekly one, the current block's (a week
  // is not worked around the clock, so it is not projected).
  const burn = a.burnPerMinute ?? (five && facts ? facts.burnPerMinute : local.burnPerMinute);
  const resetAt = a.resetAt ?? (five ? local.resetAt : null);
  const minutesLeft = resetAt !== null ? Math.max(0, (resetAt - now) / 60_000) : null;
  const projectedShare = !five ? null : burn !== null && minutesLeft !== null ? (usedTokens + burn * minutesLeft) / limitTokens : a.share;
  return {
    source: a.source,
    window: a.window,
    ageMs: Math.max(0, a.ageMs),
    confidence: a.confidence,
    limitTokens,
    usedTokens,
    share: a.share,
    projectedShare,
    costUsd: local.costUsd,
    blockStart: start ?? local.blockStart,
    resetAt,
    tokensPerCall: five && facts && facts.tokensPerCall > 0 ? facts.tokensPerCall : local.tokensPerCall,
    burnPerMinute: burn,
  };
}

function serverView(store: Store, now: number, local: UsageView, r: RateLimitRow, base: number): UsageView {
  return sharedView(
    store,
    now,
    local,
    { source: `server:${r.window}`, window: r.window, share: r.used_pct / 100, resetAt: r.resets_at, ageMs: now - r.last_seen, confidence: 'official' },
    base,
  );
}

function monitorView(store: Store, now: number, local: UsageView, m: MonitorPick, window: UsageWindow, w: MonitorWindow, base: number): UsageView | null {
  // No figure, or one for a window that has reset since: not an answer about now.
  if (w.usedPct === null || (w.resetsAt !== null && w.resetsAt <= now)) return null;
  return sharedView(
    store,
    now,
    local,
    {
      source: `claude-monitor:${m.snapshot.plan ?? m.plan ?? 'default'}${window === 'seven_day' ? ':seven_day' : ''}`,
      window,
      share: w.usedPct / 100,
      resetAt: w.resetsAt,
      ageMs: m.ageMs,
      confidence: w.confidence,
      tokensUsed: w.tokensUsed,
      tokenLimit: w.tokenLimit,
      burnPerMinute: window === 'five_hour' ? m.snapshot.burnPerMinute : null,
    },
    base,
  );
}

export interface MonitorPick {
  snapshot: MonitorSnapshot;
  ageMs: number;
  plan: string | null;
}

/** The cached snapshot as a usable one, if it is fresh enough. */
function cachedSnapshot(row: MonitorCacheRow | undefined, s: MonitorSettings, now: number): MonitorPick | null {
  if (!row || row.payload === null) return null;
  // Judged by when it was fetched and by what it says of itself: the older of the two.
  const ageMs = now - Math.min(row.ts, row.generated_at ?? row.ts);
  if (ageMs > s.maxAgeMs) return null;
  const snapshot = storedSnapshot(row.payload);
  return snapshot && !snapshot.stale ? { snapshot, ageMs, plan: s.plan } : null;
}

function localConfidence(lim: TokenLimit): UsageConfidence {
  return lim.source === 'calibrated' ? 'calibrated' : lim.source === 'custom-default' ? 'unknown' : 'local_estimate';
}

/**
 * The usage picture a hook decides on, from the best source that is fresh, with the weekly window
 * attached when known. Reads only, except for folding new server readings into the calibration
 * (`calibrate`) and claiming a claude-monitor refresh (`refresh`); neither waits for anything.
 */
export function usageView(store: Store, config: Config, now: number, opts: UsageViewOptions = {}): UsageView {
  if (opts.calibrate) {
    try {
      foldServerReadings(store, config, now);
    } catch (e) {
      opts.onError?.('calibration', e);
    }
  }
  const lim = localLimit(store, config, now);
  const local: UsageView = { ...localUsage(store, config, now, lim), window: 'five_hour', ageMs: 0, confidence: localConfidence(lim) };
  const server5 = freshServerReading(store, config, now, 'five_hour');
  const server7 = freshServerReading(store, config, now, 'seven_day');
  const ms = monitorSettings(config, (opts.refresh?.env ?? process.env) as Env);
  const needMonitor = ms !== null && (server5 === null || server7 === null);
  const pick = needMonitor ? cachedSnapshot(store.monitorCache.get('snapshot'), ms, now) : null;

  let five: UsageView = local;
  if (server5) five = serverView(store, now, local, server5, lim.tokens);
  else if (pick?.snapshot.fiveHour) five = monitorView(store, now, local, pick, 'five_hour', pick.snapshot.fiveHour, lim.tokens) ?? local;

  let weekly: UsageView | null = null;
  if (server7) weekly = serverView(store, now, local, server7, lim.tokens);
  else if (pick?.snapshot.sevenDay) weekly = monitorView(store, now, local, pick, 'seven_day', pick.snapshot.sevenDay, lim.tokens);

  // claude-monitor is asked again only when its answer could be used: no fresh server figure for the
  // 5-hour window.
  if (opts.refresh && ms && server5 === null) {
    try {
      const r = startRefresh(store.monitorCache, ms, now, opts.refresh.env);
      opts.onRefresh?.(r);
    } catch (e) {
      opts.onError?.('claude-monitor refresh', e);
    }
  }
  // The newest response anywhere: time since it counts as time already spent waiting (pacing).
  return { ...five, weekly, lastActivityAt: store.entries.newestTs() };
}

/** The sources as `ccguard status` shows them. */
export interface LimitsStatus {
  source: string;
  confidence: UsageConfidence;
  age_seconds: number | null;
  used_share: number | null;
  limit_tokens: number | null;
  reset_at: string | null;
  weekly: { source: string; confidence: UsageConfidence; age_seconds: number | null; used_share: number | null; reset_at: string | null } | null;
  server: Record<UsageWindow, { used_percentage: number; resets_at: string | null; seen_at: string; fresh: boolean } | null>;
  calibrated: { limit_tokens: number; samples: number; updated_at: string } | null;
  /** At the last server reading: ccguard's own estimate of the same window against the server's figure. */
  last_error: { at: string; server_percentage: number; local_percentage: number; difference_points: number; local_limit_source: string } | null;
  claude_monitor: {
    enabled: 'auto' | 'true' | 'false';
    state: string;
    detail: string | null;
    last_run_at: string | null;
    snapshot_at: string | null;
    state_file: string | null;
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const secs = (ms: number | null | undefined): number | null => (ms === null || ms === undefined ? null : Math.round(ms / 1000));

export function limitsStatus(store: Store, config: Config, now: number, view: UsageView, env: Env = process.env): LimitsStatus {
  const rl = store.rateLimits;
  const server = (w: UsageWindow): LimitsStatus['server'][UsageWindow] => {
    const r = rl.latest(w);
    if (!r) return null;
    return { used_percentage: r.used_pct, resets_at: r.resets_at === null ? null : iso(r.resets_at), seen_at: iso(r.last_seen), fresh: freshServerReading(store, config, now, w) !== null };
  };
  const cal = readCalibration(store);
  const err = readCalibrationError(store);
  const cache = store.monitorCache;
  const ms = monitorSettings(config, env);
  const inst = cache.get('install');
  const attempt = cache.get('attempt');
  const snap = cache.get('snapshot');
  const enabled = config.integrations.claude_monitor.enabled;
  let state: string;
  let detail: string | null = null;
  if (!ms) state = 'disabled';
  else if (ms.mode === 'auto' && !ms.stateFile && !commandFound(ms.command, env)) state = 'not installed';
  else if (inst && inst.until !== null && inst.until > now) {
    state = inst.status === 'v3' ? 'v3 (no JSON output: not used until upgraded to v4)' : 'not installed';
    detail = inst.detail;
  } else if (attempt) {
    state = attempt.status;
    detail = attempt.detail;
  } else state = 'not run yet';
  const w = view.weekly ?? null;
  return {
    source: view.source,
    confidence: view.confidence ?? 'unknown',
    age_seconds: secs(view.ageMs),
    used_share: view.share,
    limit_tokens: view.limitTokens,
    reset_at: view.resetAt === null ? null : iso(view.resetAt),
    weekly: w ? { source: w.source, confidence: w.confidence ?? 'unknown', age_seconds: secs(w.ageMs), used_share: w.share, reset_at: w.resetAt === null ? null : iso(w.resetAt) } : null,
    server: { five_hour: server('five_hour'), seven_day: server('seven_day') },
    calibrated: cal ? { limit_tokens: cal.limitTokens, samples: cal.samples, updated_at: iso(cal.updatedAt) } : null,
    last_error: err
      ? {
          at: iso(err.at),
          server_percentage: err.serverPct,
          local_percentage: Math.round(err.localPct * 10) / 10,
          difference_points: Math.round((err.localPct - err.serverPct) * 10) / 10,
          local_limit_source: err.localSource,
        }
      : null,
    claude_monitor: {
      enabled: enabled === 'auto' ? 'auto' : enabled ? 'true' : 'false',
      state,
      detail,
      last_run_at: attempt ? iso(attempt.ts) : null,
      snapshot_at: snap?.generated_at ? iso(snap.generated_at) : null,
      state_file: ms?.stateFile ?? null,
    },
  };
}
