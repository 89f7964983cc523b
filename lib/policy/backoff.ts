import type { Config } from '../config/schema.ts';
import type { BackoffView } from './types.ts';

/** Two reports of the same API error (the StopFailure hook and the transcript line) land this close. */
export const SAME_ERROR_MS = 15_000;

/**
 * One more rate-limit error at `errTs`. Consecutive errors (within the quiet period of the last one)
 * raise the level; the wait is base × factor^(level-1), capped.
 */
export function stepBackoff(prev: BackoffView | null, errTs: number, cfg: Config['recovery']['backoff']): BackoffView {
  if (prev && Math.abs(errTs - prev.lastErrorAt) < SAME_ERROR_MS) return prev;
  const consecutive = prev !== null && errTs - prev.lastErrorAt < cfg.quiet_minutes * 60_000;
  const level = consecutive ? prev.level + 1 : 1;
  const waitMs = Math.min(cfg.max_seconds, cfg.base_seconds * cfg.factor ** (level - 1)) * 1000;
  return { level, until: errTs + waitMs, lastErrorAt: errTs };
}

/** The backoff in force at `now`, or null once the quiet period has passed since the last error. */
export function currentBackoff(
  b: BackoffView | null,
  now: number,
  cfg: Config['recovery']['backoff'],
): BackoffView | null {
  if (!b) return null;
  if (now - b.lastErrorAt >= cfg.quiet_minutes * 60_000) return null;
  return b;
}

/** Which API errors count as rate limiting. */
export function isRateLimit(kind: string, status: number | null): boolean {
  return status === 429 || kind === 'rate_limit' || kind === 'rate_limit_error' || kind === 'retry:rate_limit_error';
}
