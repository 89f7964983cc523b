// The token limit the server's own utilization implies. When the status line has reported
// `used_percentage` for the 5-hour window and ccguard has counted the input + output tokens of that
// same window up to the reading, tokens / (used_percentage / 100) is the limit the server measures
// against (as seen from this machine: usage elsewhere counts on the server, not here, and makes the
// inferred limit smaller, which is the safe side). Readings are folded in as they arrive and smoothed;
// when the server figure goes stale the local estimate uses the result (`local:calibrated`).
import type { Store } from '../store/store.ts';
import type { Config } from '../config/schema.ts';
import type { RateLimitRow } from '../store/rateLimits.ts';
import { tokenLimit } from './local.ts';
import type { TokenLimit } from './limits.ts';
import { BLOCK_MS } from '../util/blocks.ts';

/** Readings under this share of the limit say too little (the percentage is coarse near zero). */
export const MIN_PERCENT = 5;
/** Readings over this are past the limit by more than the server lets one go: not a measurement. */
export const MAX_PERCENT = 150;
/** Fewer local tokens than this in the window: too few to scale from. */
export const MIN_TOKENS = 2000;
/** The newest sample's weight once a few are in (a running mean before that). */
export const SMOOTHING = 0.2;
/** At most this many new readings are folded in one go (after a long gap, the newest matter). */
const BATCH = 200;

export interface Calibration {
  limitTokens: number;
  samples: number;
  updatedAt: number;
}

/** How far ccguard's own estimate was from the server's figure at the last reading. */
export interface CalibrationError {
  at: number;
  /** The server's used_percentage. */
  serverPct: number;
  /** ccguard's estimate for the same window, in percent, with the limit it had before this reading. */
  localPct: number;
  /** Where that limit came from (calibrated, plan:max5, p90, config, ...). */
  localSource: string;
  tokens: number;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function readCalibration(store: Store): Calibration | null {
  const v = store.meta.getJson('calibration');
  if (!v || !isNum(v.limitTokens) || v.limitTokens <= 0 || !isNum(v.samples) || v.samples < 1 || !isNum(v.updatedAt))
    return null;
  return { limitTokens: v.limitTokens, samples: v.samples, updatedAt: v.updatedAt };
}

export function readCalibrationError(store: Store): CalibrationError | null {
  const v = store.meta.getJson('calibration_error');
  if (
    !v ||
    !isNum(v.at) ||
    !isNum(v.serverPct) ||
    !isNum(v.localPct) ||
    typeof v.localSource !== 'string' ||
    !isNum(v.tokens)
  )
    return null;
  return { at: v.at, serverPct: v.serverPct, localPct: v.localPct, localSource: v.localSource, tokens: v.tokens };
}

/** The limit one reading implies, or null when it says too little. */
export function calibrationSample(tokens: number, usedPct: number): number | null {
  if (!(usedPct >= MIN_PERCENT && usedPct <= MAX_PERCENT) || tokens < MIN_TOKENS) return null;
  return tokens / (usedPct / 100);
}

/** Folds one sample in: a running mean for the first few, then an exponential average, outliers damped. */
export function smooth(prev: Calibration | null, sample: number, at: number): Calibration {
  if (!prev) return { limitTokens: Math.round(sample), samples: 1, updatedAt: at };
  const weight = Math.max(SMOOTHING, 1 / (prev.samples + 1));
  // Once settled, one odd reading (a window shared with claude.ai use, say) moves it at most 2×.
  const s = prev.samples >= 3 ? Math.min(prev.limitTokens * 2, Math.max(prev.limitTokens / 2, sample)) : sample;
  return {
    limitTokens: Math.round(prev.limitTokens + weight * (s - prev.limitTokens)),
    samples: prev.samples + 1,
    updatedAt: at,
  };
}

/**
 * The limit ccguard's own estimate measures against: the calibrated one when known (in place of
 * pro | max5 | max20 | custom; a token number in the config always stands), else plan or P90.
 */
export function localLimit(store: Store, config: Config, now: number): TokenLimit {
  const cal = typeof config.plan === 'number' ? null : readCalibration(store);
  return cal ? { tokens: cal.limitTokens, source: 'calibrated' } : tokenLimit(store, config, now);
}

/**
 * The tokens ccguard counted in a reading's window, from its start up to the reading: its own
 * account's, which are what moved its figure (the limit learned is the plan's, shared by accounts).
 */
function windowTokens(store: Store, r: RateLimitRow): number | null {
  if (r.resets_at === null) return null;
  const start = r.resets_at - BLOCK_MS;
  const end = Math.min(r.first_seen, r.resets_at);
  if (end <= start) return null;
  return store.entries.accountTokens(r.account, start, end + 1);
}

/**
 * Folds the 5-hour readings recorded since the last call into the calibration and the last error.
 * Call after an import, so the tokens up to each reading are in. Reads only when nothing is new.
 */
export function foldServerReadings(store: Store, config: Config, now: number): number {
  const rl = store.rateLimits;
  const seen = store.meta.getNumber('calibration_seen_id') ?? 0;
  if (rl.since('five_hour', seen, 1).length === 0) return 0;
  let folded = 0;
  store.write(() => {
    // Another process may have folded them while this one waited for the lock.
    const from = store.meta.getNumber('calibration_seen_id') ?? 0;
    const rows = rl.since('five_hour', from, BATCH);
    let cal = readCalibration(store);
    const planLimit = tokenLimit(store, config, now);
    let err: CalibrationError | null = null;
    let last = from;
    for (const r of rows) {
      last = r.id;
      if (r.first_seen > now) continue;
      const tokens = windowTokens(store, r);
      if (tokens === null) continue;
      const lim =
        cal && typeof config.plan !== 'number' ? { tokens: cal.limitTokens, source: 'calibrated' } : planLimit;
      err = {
        at: r.first_seen,
        serverPct: r.used_pct,
        localPct: (tokens / lim.tokens) * 100,
        localSource: lim.source,
        tokens,
      };
      const sample = calibrationSample(tokens, r.used_pct);
      if (sample === null) continue;
      cal = smooth(cal, sample, r.first_seen);
      folded++;
    }
    if (cal) store.meta.putJson('calibration', cal);
    if (err) store.meta.putJson('calibration_error', err);
    store.meta.putNumber('calibration_seen_id', last);
  });
  return folded;
}
