import type { Plan } from '../config/schema.ts';

/** claude-monitor's per-block token limits (input + output tokens). */
export const PLAN_TOKEN_LIMITS = { pro: 19_000, max5: 88_000, max20: 220_000 } as const;
/** What claude-monitor falls back to for a custom plan with no history. */
export const CUSTOM_FALLBACK_TOKENS = 44_000;
const KNOWN_LIMITS = [19_000, 88_000, 220_000, 880_000];
const P90_FLOOR = 19_000;

/** The 90th percentile with linear interpolation between ranks (numpy's default). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = s[lo]!;
  const b = s[hi]!;
  return a + (b - a) * (rank - lo);
}

/**
 * claude-monitor's P90 rule: over finished blocks that came within 95% of a known plan limit (or all
 * finished blocks when none did), the 90th percentile of block token totals, never below 19,000.
 * Returns null with no finished blocks.
 */
export function p90Limit(finishedBlockTokens: readonly number[]): number | null {
  const blocks = finishedBlockTokens.filter((t) => t > 0);
  if (blocks.length === 0) return null;
  const near = blocks.filter((t) => KNOWN_LIMITS.some((l) => t >= l * 0.95));
  const pool = near.length > 0 ? near : blocks;
  return Math.max(P90_FLOOR, Math.round(percentile(pool, 90)));
}

export interface TokenLimit {
  tokens: number;
  /** Where the figure comes from: plan:<name>, config, p90, or the custom fallback. */
  source: string;
}

export function tokenLimitFor(plan: Plan, finishedBlockTokens: () => readonly number[]): TokenLimit {
  if (typeof plan === 'number') return { tokens: plan, source: 'config' };
  switch (plan) {
    case 'pro':
    case 'max5':
    case 'max20':
      return { tokens: PLAN_TOKEN_LIMITS[plan], source: `plan:${plan}` };
    case 'custom': {
      const p = p90Limit(finishedBlockTokens());
      return p === null ? { tokens: CUSTOM_FALLBACK_TOKENS, source: 'custom-default' } : { tokens: p, source: 'p90' };
    }
    default: {
      const never: never = plan;
      throw new Error(`unknown plan ${String(never)}`);
    }
  }
}
