import type { UsageView } from './types.ts';

export type Pace =
  | { kind: 'none' }
  | { kind: 'delay'; ms: number; sustainablePerMinute: number }
  | { kind: 'deny'; waitMs: number; why: 'limit_reached' | 'too_fast' };

/**
 * How long to hold a tool call so usage follows a straight line that reaches the limit exactly at the
 * reset. A call costs about `tokensPerCall`; at the current burn rate calls come every
 * perCall / burn minutes, and to stay on the line they must come every perCall / sustainable minutes:
 * the difference is the delay. With nothing left, no delay can help: wait for the reset.
 */
export function pace(u: UsageView, now: number, maxSleepMs: number): Pace {
  if (u.limitTokens === null || u.resetAt === null) return { kind: 'none' };
  const remaining = u.limitTokens - u.usedTokens;
  const minutesLeft = (u.resetAt - now) / 60_000;
  if (minutesLeft <= 0) return { kind: 'none' };
  if (remaining <= 0) return { kind: 'deny', waitMs: u.resetAt - now, why: 'limit_reached' };
  const sustainable = remaining / minutesLeft;
  const perCall = Math.max(1, u.tokensPerCall);
  const burn = u.burnPerMinute;
  if (burn === null || burn <= sustainable) return { kind: 'delay', ms: 0, sustainablePerMinute: sustainable };
  // Calls should come every perCall / sustainable minutes. They have been coming every perCall / burn,
  // and whatever time has passed since the newest response is already part of the wait: a session
  // that sat idle after a deny has paid it off.
  const gapMs = (perCall / sustainable) * 60_000;
  const idleMs = u.lastActivityAt != null ? Math.max(0, now - u.lastActivityAt) : 0;
  const delayMs = gapMs - Math.max((perCall / burn) * 60_000, idleMs);
  if (delayMs <= 0) return { kind: 'delay', ms: 0, sustainablePerMinute: sustainable };
  if (delayMs <= maxSleepMs) return { kind: 'delay', ms: Math.round(delayMs), sustainablePerMinute: sustainable };
  return { kind: 'deny', waitMs: Math.round(Math.min(delayMs, u.resetAt - now)), why: 'too_fast' };
}
