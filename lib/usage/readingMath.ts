// The arithmetic of a figure built on a server reading: the share it stands for with the local usage
// since it, and the pace its window's readings imply. One copy for both of its readers: the sources
// (lib/usage/sources.ts), which build the figure a decision rests on, and the lease's check on the
// hot path (lib/hook/fast.ts), which asks whether a newer reading keeps that figure within bounds.
// A leaf: it imports nothing, so the fast path's bundle stays small.

/** A pace is measured from server readings spanning at least this long (never from a short burst). */
export const BURN_MIN_SPAN_MS = 15 * 60_000;

/**
 * Share of the window per local token: how far the server's figure rose between two readings against
 * the local tokens counted between them. 0 when it did not rise; Infinity when it rose with no local
 * usage under it (no ratio is learned from that; a lease reads it as "any usage may move it anywhere").
 */
export function risePerToken(firstPct: number, lastPct: number, tokens: number): number {
  const rise = (lastPct - firstPct) / 100;
  if (rise <= 0) return 0;
  return tokens > 0 ? rise / tokens : Number.POSITIVE_INFINITY;
}

/** A reading's share (1 = the limit) with `since` local tokens after it at `perToken` each. */
export function anchoredShare(pct: number, perToken: number, since: number): number {
  return pct / 100 + (since > 0 && perToken > 0 ? perToken * since : 0);
}

/**
 * The pace (share per minute) from the first reading of the look-back to the last, timed by when each
 * was first seen; null when they span less than BURN_MIN_SPAN_MS.
 */
export function readingPace(
  firstPct: number,
  firstAt: number,
  lastPct: number,
  lastAt: number,
): { perMinute: number; spanMs: number } | null {
  const spanMs = lastAt - firstAt;
  if (spanMs < BURN_MIN_SPAN_MS) return null;
  return { perMinute: Math.max(0, (lastPct - firstPct) / 100) / (spanMs / 60_000), spanMs };
}

/** The share projected at the window's reset, going on at `perMinute` from `now`. */
export function projectedAtReset(share: number, perMinute: number, resetsAt: number, now: number): number {
  return share + perMinute * Math.max(0, (resetsAt - now) / 60_000);
}
