// Where the usage figures a decision rests on come from, best first:
//   1. the server's own figures: Claude Code's limit line (100% of its window until its exact
//      reset), then the newest reading from the status line or the usage endpoint, while fresh
//      (limits.server_fresh_seconds) and not past its reset;
//   2. the server-anchored estimate: the last reading plus the local usage since, converted with a
//      ratio learned from several readings of the same window, for ANCHOR_MS after that reading;
//   3. claude-monitor's output (`claude-monitor:<plan>`), cached in SQLite by a detached refresh;
//   4. ccguard's own estimate (`local:<limit source>`) against the plan, P90 or the calibrated limit.
// Every figure carries its source, age and confidence; only the server's (1, 2, or claude-monitor's
// when it says `official`) and a token limit the user wrote in `plan` may delay or deny. A stale
// figure falls to the next source. The weekly window comes from the server or claude-monitor only,
// and rides along on the 5-hour view; Opus- and Sonnet-only limits become model holds.
// Every server figure is one account's (lib/util/account.ts): a picture is always of one account, and
// an API-key account has no subscription windows (no server figure, no limit line, no claude-monitor).
import type { Store } from '../store/store.ts';
import type { Config } from '../config/schema.ts';
import {
  WINDOW_MS,
  type ModelHold,
  type ProjectionBasis,
  type ReadingBasis,
  type UsageConfidence,
  type UsageView,
  type UsageWindow,
} from './types.ts';
import { localUsage } from './local.ts';
import type { RateLimitRow } from '../store/rateLimits.ts';
import type { LimitMessageRow } from '../store/limitMessages.ts';
import { limitWindow } from '../transcripts/limitMessage.ts';
import type { MonitorCacheRow } from '../store/monitorCache.ts';
import {
  foldServerReadings,
  localLimit,
  readCalibration,
  readCalibrationError,
  type Calibration,
  type CalibrationError,
} from './calibration.ts';
import { commandFound, monitorSettings, type MonitorSettings } from '../monitor/settings.ts';
import type { MonitorSnapshot, MonitorWindow } from '../monitor/snapshot.ts';
import { storedSnapshot } from '../monitor/stored.ts';
import { startRefresh, type RefreshStart } from '../monitor/trigger.ts';
import type { Env } from '../util/paths.ts';
import { usageApiStatus, type UsageApiStatus } from './usageApiTrigger.ts';
import { kindOfKey } from '../util/account.ts';
import { anchoredShare, projectedAtReset, readingPace, risePerToken } from './readingMath.ts';

/** How long after its reading the anchored estimate stands. */
export const ANCHOR_MS = 30 * 60_000;
/** Rises of the server's figure between readings needed to learn the ratio. */
export const ANCHOR_MIN_PAIRS = 2;
/** A pace is measured from server readings this far back at most (and spanning BURN_MIN_SPAN_MS, lib/usage/readingMath.ts). */
const BURN_LOOKBACK_MS = 60 * 60_000;
/** The readings the ratio and the pace are learned from: the window's, this far back at most. */
const READINGS_LOOKBACK_MS = 2 * 60 * 60_000;
/** A limit line is looked for this far back (a weekly reset can be a week away). */
const LIMIT_LOOKBACK_MS = 8 * 86_400_000;

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

/** A server figure for one window: a reading (status line, usage endpoint) or a limit line. */
interface ServerFigure {
  pct: number;
  resetsAt: number | null;
  /** When the server said it (a reading's last confirmation, a limit line's time). */
  at: number;
  source: string;
  reading: RateLimitRow | null;
}

const readingSource = (r: RateLimitRow): string =>
  r.source === 'usage_api' ? `server:usage_api:${r.window}` : `server:${r.window}`;

/** The limit lines whose reset is still ahead, by window and as model holds. */
function limitLines(
  store: Store,
  account: string,
  now: number,
): { five: LimitMessageRow | null; week: LimitMessageRow | null; holds: ModelHold[] } {
  let five: LimitMessageRow | null = null;
  let week: LimitMessageRow | null = null;
  const holds: ModelHold[] = [];
  for (const m of store.limitMessages.inForce(account, now, now - LIMIT_LOOKBACK_MS)) {
    if (m.reset_at === null) continue;
    // Rows stored before the window rule (limitWindow) was: a bare "limit" resetting days away is the week's.
    const window = limitWindow(m.scope, m.reset_at, m.ts);
    if (window === 'opus' || window === 'sonnet') {
      if (!holds.some((h) => h.family === window)) holds.push({ family: window, until: m.reset_at, text: m.text });
    } else if (window === 'weekly') week ??= m;
    else five ??= m;
  }
  return { five, week, holds };
}

/** The newest thing the server said about a window: its last reading, or a limit line written later. */
function newestServerFigure(
  store: Store,
  account: string,
  window: UsageWindow,
  line: LimitMessageRow | null,
): ServerFigure | null {
  const r = store.rateLimits.latest(account, window) ?? null;
  const fromReading: ServerFigure | null = r
    ? { pct: r.used_pct, resetsAt: r.resets_at, at: r.last_seen, source: readingSource(r), reading: r }
    : null;
  const fromLine: ServerFigure | null = line
    ? { pct: 100, resetsAt: line.reset_at, at: line.ts, source: `server:limit_line:${window}`, reading: null }
    : null;
  if (fromLine && (!fromReading || fromLine.at >= fromReading.at)) return fromLine;
  return fromReading;
}

/** The server's latest reading of a window, if fresh and its window has not reset. */
export function freshServerReading(
  store: Store,
  config: Config,
  account: string,
  now: number,
  window: UsageWindow,
): RateLimitRow | null {
  const r = store.rateLimits.latest(account, window);
  if (!r) return null;
  const age = now - r.last_seen;
  if (age > config.limits.server_fresh_seconds * 1000 || age < -60_000) return null;
  if (r.resets_at !== null && r.resets_at <= now) return null;
  return r;
}

/** The account's local input + output tokens in [from, to): what moves its server figure. */
function localTokens(store: Store, account: string, from: number, to: number): number {
  if (to <= from) return 0;
  return store.entries.accountTokens(account, from, to);
}

/**
 * Share of the window per local token, from the window's readings: how far the server's figure rose
 * from the first to the last of them against the local tokens counted in between. Null unless it rose
 * in at least ANCHOR_MIN_PAIRS steps (never learned from one reading) with local usage under it. One
 * range query: every full check pays for it.
 */
export function anchorRatio(store: Store, readings: readonly RateLimitRow[]): number | null {
  const account = readings[0]?.account ?? '';
  const first = readings[0];
  const last = readings.at(-1);
  if (!first || !last) return null;
  let rises = 0;
  for (let k = 1; k < readings.length; k++) if (readings[k]!.used_pct > readings[k - 1]!.used_pct) rises++;
  if (rises < ANCHOR_MIN_PAIRS || last.used_pct <= first.used_pct) return null;
  const k = risePerToken(first.used_pct, last.used_pct, localTokens(store, account, first.first_seen, last.first_seen));
  // A rise with no local usage under it teaches no ratio.
  return Number.isFinite(k) && k > 0 ? k : null;
}

/** The pace measured from the window's readings over the last hour, when they span long enough. */
function serverBurn(readings: readonly RateLimitRow[], now: number): { perMinute: number; spanMin: number } | null {
  const recent = readings.filter((r) => r.last_seen >= now - BURN_LOOKBACK_MS);
  const first = recent[0];
  const last = recent.at(-1);
  if (!first || !last) return null;
  const pace = readingPace(first.used_pct, first.first_seen, last.used_pct, last.first_seen);
  return pace && { perMinute: pace.perMinute, spanMin: Math.round(pace.spanMs / 60_000) };
}

/**
 * The server's figure for a window as a view: a fresh reading or a limit line before its reset is
 * `official`; a reading past its freshness but within ANCHOR_MS and with a learned ratio is the
 * anchored estimate; anything else is null (stale figures never act).
 */
function serverView(
  store: Store,
  config: Config,
  account: string,
  now: number,
  local: UsageView,
  window: UsageWindow,
  f: ServerFigure,
): UsageView | null {
  if (f.resetsAt !== null && f.resetsAt <= now) return null;
  const age = now - f.at;
  if (age < -60_000) return null;
  const fresh = age <= config.limits.server_fresh_seconds * 1000;
  let share = f.pct / 100;
  let source = f.source;
  let confidence: UsageConfidence = 'official';
  let projectedShare: number | null = null;
  let projectionBasis: ProjectionBasis | null = null;
  let basis: ReadingBasis | null = null;
  if (f.reading) {
    // The recent readings of this window only: the ratio and the pace are about now, and the cost of
    // reading them stays bounded however long the window has been reported.
    const from = f.resetsAt !== null ? Math.max(f.resetsAt - WINDOW_MS[window], now - READINGS_LOOKBACK_MS) : now;
    const readings = f.resetsAt !== null ? store.rateLimits.ofWindow(account, window, f.resetsAt, from) : [f.reading];
    const k = anchorRatio(store, readings);
    const since = k !== null ? localTokens(store, account, f.at + 1, now + 1) : 0;
    if (k !== null && since > 0) {
      share = anchoredShare(f.pct, k, since);
      source = `${f.source}+local`;
    }
    if (!fresh) {
      if (k === null || age > ANCHOR_MS) return null;
      confidence = 'anchored';
    }
    const burn = f.resetsAt !== null ? serverBurn(readings, now) : null;
    if (burn && f.resetsAt !== null) {
      projectedShare = projectedAtReset(share, burn.perMinute, f.resetsAt, now);
      projectionBasis = { kind: 'server_readings', spanMin: burn.spanMin };
    }
    basis = readingBasis(store, config, f.reading, readings, k, fresh, now);
  }
  // A limit line (no reading) stands until its reset: the server refused at 100%.
  return {
    source,
    window,
    ageMs: Math.max(0, age),
    confidence,
    limitTokens: null,
    usedTokens: window === 'five_hour' ? local.usedTokens : 0,
    share,
    projectedShare,
    projectionBasis,
    costUsd: local.costUsd,
    blockStart: local.blockStart,
    resetAt: f.resetsAt ?? (window === 'five_hour' ? local.resetAt : null),
    tokensPerCall: local.tokensPerCall,
    burnPerMinute: local.burnPerMinute,
    basis,
  };
}

/** What a reading-based figure rests on (see ReadingBasis): the same look-backs serverView uses. */
function readingBasis(
  store: Store,
  config: Config,
  r: RateLimitRow,
  readings: readonly RateLimitRow[],
  k: number | null,
  fresh: boolean,
  now: number,
): ReadingBasis {
  const first = readings[0] ?? r;
  const last = readings.at(-1) ?? r;
  const recent = readings.filter((x) => x.last_seen >= now - BURN_LOOKBACK_MS);
  let firmUntil = fresh ? r.last_seen + config.limits.server_fresh_seconds * 1000 : r.last_seen + ANCHOR_MS;
  // A reading leaving a look-back changes the ratio or the pace: the figure is firm only until then.
  for (const x of readings) firmUntil = Math.min(firmUntil, x.last_seen + READINGS_LOOKBACK_MS);
  for (const x of recent) firmUntil = Math.min(firmUntil, x.last_seen + BURN_LOOKBACK_MS);
  return {
    id: r.id,
    pct: r.used_pct,
    resetsAt: r.resets_at,
    perToken: k ?? 0,
    ratioFirstPct: first.used_pct,
    ratioTokens: localTokens(store, r.account, first.first_seen, last.first_seen),
    burnFirstPct: recent[0]?.used_pct ?? null,
    burnFirstAt: recent[0]?.first_seen ?? null,
    firmUntil,
  };
}

function monitorView(
  now: number,
  local: UsageView,
  m: MonitorPick,
  window: UsageWindow,
  w: MonitorWindow,
): UsageView | null {
  // No figure, or one for a window that has reset since: not an answer about now.
  if (w.usedPct === null || (w.resetsAt !== null && w.resetsAt <= now)) return null;
  const five = window === 'five_hour';
  const share = w.usedPct / 100;
  const burn = five ? m.snapshot.burnPerMinute : null;
  const resetAt = w.resetsAt ?? (five ? local.resetAt : null);
  const projected =
    five && burn !== null && w.tokenLimit !== null && w.tokenLimit > 0 && resetAt !== null
      ? share + (burn * Math.max(0, (resetAt - now) / 60_000)) / w.tokenLimit
      : null;
  return {
    source: `claude-monitor:${m.snapshot.plan ?? m.plan ?? 'default'}${five ? '' : ':seven_day'}`,
    window,
    ageMs: Math.max(0, m.ageMs),
    // claude-monitor's own word on its figure: only an `official` one may act.
    confidence: w.confidence === 'official' ? 'official' : w.confidence === 'unknown' ? 'unknown' : 'local_estimate',
    limitTokens: w.tokenLimit,
    usedTokens: w.tokensUsed ?? (five ? local.usedTokens : 0),
    share,
    projectedShare: projected,
    projectionBasis: projected !== null ? { kind: 'monitor_burn' } : null,
    costUsd: local.costUsd,
    blockStart: local.blockStart,
    resetAt,
    tokensPerCall: local.tokensPerCall,
    burnPerMinute: five ? (burn ?? local.burnPerMinute) : null,
  };
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

/** The usage figures and the model holds a decision rests on. */
export interface UsagePicture {
  view: UsageView;
  modelHolds: ModelHold[];
  /** The 5-hour reset the server named (a reading or a limit line), when one is ahead. */
  serverResetAt: number | null;
}

/**
 * The usage picture a hook decides on, from the best source that is fresh, with the weekly window
 * attached when known. Reads only, except for folding new server readings into the calibration
 * (`calibrate`) and claiming a claude-monitor refresh (`refresh`); neither waits for anything.
 */
export function usagePicture(
  store: Store,
  config: Config,
  account: string,
  now: number,
  opts: UsageViewOptions = {},
): UsagePicture {
  if (opts.calibrate) {
    try {
      foldServerReadings(store, config, now);
    } catch (e) {
      opts.onError?.('calibration', e);
    }
  }
  const lim = localLimit(store, config, now);
  const local = localUsage(store, config, now, lim);
  // An API-key account is billed per token: no window, no limit line, no claude-monitor plan binds it.
  const subscription = kindOfKey(account) === 'subscription';
  const lines = subscription ? limitLines(store, account, now) : { five: null, week: null, holds: [] };
  const f5 = subscription ? newestServerFigure(store, account, 'five_hour', lines.five) : null;
  const f7 = subscription ? newestServerFigure(store, account, 'seven_day', lines.week) : null;
  const server5 = f5 ? serverView(store, config, account, now, local, 'five_hour', f5) : null;
  const server7 = f7 ? serverView(store, config, account, now, local, 'seven_day', f7) : null;
  const ms = subscription ? monitorSettings(config, opts.refresh?.env ?? process.env) : null;
  const needMonitor = ms !== null && (server5 === null || server7 === null);
  const pick = needMonitor ? cachedSnapshot(store.monitorCache.get('snapshot'), ms, now) : null;

  let five: UsageView = local;
  if (server5) five = server5;
  else if (pick?.snapshot.fiveHour) five = monitorView(now, local, pick, 'five_hour', pick.snapshot.fiveHour) ?? local;
  // One reset time everywhere: the server's, when it named one for the window now running.
  const serverResetAt =
    f5?.resetsAt != null && f5.resetsAt > now && f5.resetsAt - now <= WINDOW_MS.five_hour ? f5.resetsAt : null;
  if (five === local && serverResetAt !== null) five = { ...five, resetAt: serverResetAt };

  let weekly: UsageView | null = null;
  if (server7) weekly = server7;
  else if (pick?.snapshot.sevenDay) weekly = monitorView(now, local, pick, 'seven_day', pick.snapshot.sevenDay);

  // claude-monitor is asked again only when its answer could be used: no server figure for the
  // 5-hour window.
  if (opts.refresh && ms && server5 === null) {
    try {
      const r = startRefresh(store.monitorCache, ms, now, opts.refresh.env);
      opts.onRefresh?.(r);
    } catch (e) {
      opts.onError?.('claude-monitor refresh', e);
    }
  }
  // The newest response anywhere: when the session last did something.
  return {
    view: { ...five, weekly, lastActivityAt: store.entries.newestTs() },
    modelHolds: lines.holds,
    serverResetAt,
  };
}

/** The 5-hour view with the weekly one attached (see usagePicture). @internal (tests read one view) */
export function usageView(
  store: Store,
  config: Config,
  account: string,
  now: number,
  opts: UsageViewOptions = {},
): UsageView {
  return usagePicture(store, config, account, now, opts).view;
}

/** Why the figure in use is not the server's: no reading yet, one for a window since reset, or one too old. */
export type ServerNote = { kind: 'no_reading' } | { kind: 'window_reset' } | { kind: 'too_old'; ageMs: number };

/** Where the claude-monitor integration stands, as the cache and the config say. */
export type MonitorState =
  | { kind: 'disabled' }
  /** Not on PATH (enabled: auto), or held off after a run found it missing (`detail`). */
  | { kind: 'not_installed'; detail: string | null }
  /** Held off after a run found a v3 install. */
  | { kind: 'v3'; detail: string | null }
  /** The last run's outcome. */
  | { kind: 'ran'; outcome: string; detail: string | null }
  | { kind: 'not_run' };

/** A server reading as the sources use it: the row, and whether it is fresh enough to act on. */
export interface ServerReading {
  row: RateLimitRow;
  fresh: boolean;
}

/** Everything about the sources `ccguard status` shows, as values (lib/usage/describe.ts words and shapes it). */
export interface LimitsFacts {
  view: UsageView;
  server: Record<UsageWindow, ServerReading | null>;
  /** Null when the figure in use is the server's. */
  serverNote: ServerNote | null;
  usageApi: UsageApiStatus;
  /** The calibrated limit, when it is the one in use (a token number in `plan` always stands). */
  calibrated: Calibration | null;
  lastError: CalibrationError | null;
  monitor: {
    enabled: Config['integrations']['claude_monitor']['enabled'];
    state: MonitorState;
    lastRunAt: number | null;
    snapshotAt: number | null;
    stateFile: string | null;
  };
}

export function limitsFacts(
  store: Store,
  config: Config,
  account: string,
  now: number,
  view: UsageView,
  env: Env = process.env,
): LimitsFacts {
  const server = (w: UsageWindow): ServerReading | null => {
    const r = store.rateLimits.latest(account, w);
    return r ? { row: r, fresh: freshServerReading(store, config, account, now, w) !== null } : null;
  };
  const cal = readCalibration(store);
  const cache = store.monitorCache;
  const ms = monitorSettings(config, env);
  const attempt = cache.get('attempt');
  const snap = cache.get('snapshot');
  return {
    view,
    server: { five_hour: server('five_hour'), seven_day: server('seven_day') },
    serverNote: serverNote(store, account, view, now),
    usageApi: usageApiStatus(store, config, account, now),
    calibrated: cal && typeof config.plan !== 'number' ? cal : null,
    lastError: readCalibrationError(store),
    monitor: {
      enabled: config.integrations.claude_monitor.enabled,
      state: monitorState(cache, ms, now, env),
      lastRunAt: attempt ? attempt.ts : null,
      snapshotAt: snap?.generated_at ?? null,
      stateFile: ms?.stateFile ?? null,
    },
  };
}

function monitorState(cache: Store['monitorCache'], ms: MonitorSettings | null, now: number, env: Env): MonitorState {
  if (!ms) return { kind: 'disabled' };
  if (ms.mode === 'auto' && !ms.stateFile && !commandFound(ms.command, env))
    return { kind: 'not_installed', detail: null };
  const inst = cache.get('install');
  if (inst && inst.until !== null && inst.until > now)
    return { kind: inst.status === 'v3' ? 'v3' : 'not_installed', detail: inst.detail };
  const attempt = cache.get('attempt');
  if (attempt) return { kind: 'ran', outcome: attempt.status, detail: attempt.detail };
  return { kind: 'not_run' };
}

/** Why the figure in use is not the server's; null when it is. */
function serverNote(store: Store, account: string, view: UsageView, now: number): ServerNote | null {
  if (isServerSource(view.source)) return null;
  const r = store.rateLimits.latest(account, 'five_hour') ?? store.rateLimits.latest(account, 'seven_day');
  if (!r) return { kind: 'no_reading' };
  if (r.resets_at !== null && r.resets_at <= now) return { kind: 'window_reset' };
  return { kind: 'too_old', ageMs: now - r.last_seen };
}

const isServerSource = (source: string): boolean => source.startsWith('server:');
