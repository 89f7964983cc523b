// Pacing in the server's units: the used share of a window against the share of it that has passed.
//
// The pace line says how much of a window may be used by now: L(e) = e + H·(1 − e), where e is the
// elapsed fraction of the window and H the headroom. Early in a window usage comes in bursts, so the
// line starts at H (30% may go in the first minutes); the headroom shrinks as the window ends and the
// line reaches 100% at the reset. A window ahead of its line is slowed, never denied: each tool call
// waits until the line has caught up with the used share (the clock moves the line, so time spent
// idle counts), at most `max_sleep_seconds`. Only a used-up window holds calls back, until its reset.

/** The headroom of the pace line at the start of a window. */
export const PACE_HEADROOM = 0.3;

/** The share of a window that may be used once `elapsed` (0..1) of it has passed. */
export function paceLine(elapsed: number): number {
  const e = Math.min(1, Math.max(0, elapsed));
  return e + PACE_HEADROOM * (1 - e);
}

/** The elapsed fraction at which the pace line reaches `share`. */
function elapsedAt(share: number): number {
  return Math.min(1, Math.max(0, (share - PACE_HEADROOM) / (1 - PACE_HEADROOM)));
}

export type Pace =
  /** On or under the line, or nothing to measure against. */
  | { kind: 'on_pace'; line: number | null }
  /** Ahead of the line: wait `waitMs` for the line to catch up (callers cap it at max_sleep_seconds). */
  | { kind: 'ahead'; line: number; waitMs: number }
  /** The window is used up: nothing but its reset helps. */
  | { kind: 'used_up'; waitMs: number };

/**
 * Where a window's used share stands against its pace line at `now`. `resetAt` and `windowMs` place
 * the window; without a reset there is no line and only a used-up share counts (with no wait known).
 */
export function pace(share: number, resetAt: number | null, windowMs: number, now: number): Pace {
  if (resetAt !== null && resetAt <= now) return { kind: 'on_pace', line: null };
  if (share >= 1) return { kind: 'used_up', waitMs: resetAt === null ? 0 : resetAt - now };
  if (resetAt === null) return { kind: 'on_pace', line: null };
  const elapsed = 1 - (resetAt - now) / windowMs;
  const line = paceLine(elapsed);
  if (share <= line) return { kind: 'on_pace', line };
  const caughtUp = resetAt - (1 - elapsedAt(share)) * windowMs;
  return { kind: 'ahead', line, waitMs: Math.max(0, Math.round(caughtUp - now)) };
}
