// The usage figures a decision rests on, each with where it came from, how old it is and how far it
// may be trusted. Built by lib/usage/sources.ts; read by the policy, status, the status line and the
// report.

/**
 * How far a figure can be trusted, and so what it may do:
 * - `official`: the server's own figure (the status line's `rate_limits`, the usage endpoint, Claude
 *   Code's limit line), fresh;
 * - `anchored`: the last server reading plus the local usage since, converted with a ratio learned
 *   from several readings of the same window, for a bounded time after that reading;
 * - `configured`: ccguard's count against a token limit the user wrote in `plan`;
 * - `local_estimate`: ccguard's or claude-monitor's count against a plan name, P90 or a calibrated limit;
 * - `unknown`: against a guess (the custom plan with no history).
 * Only the first three may delay or deny (see `mayEnforce`); the others warn.
 */
export type UsageConfidence = 'official' | 'anchored' | 'configured' | 'local_estimate' | 'unknown';

/** The two windows Claude's subscription limits run on. */
export type UsageWindow = 'five_hour' | 'seven_day';

export const WINDOW_MS: Readonly<Record<UsageWindow, number>> = { five_hour: 5 * 3_600_000, seven_day: 7 * 86_400_000 };

/** Whether a figure of this confidence may delay or deny; the rest only warn. */
export function mayEnforce(c: UsageConfidence): boolean {
  return c === 'official' || c === 'anchored' || c === 'configured';
}

/** Whether the figure is the server's own (or anchored on it): what wind-down and status call "the server's". */
export function isServerFigure(c: UsageConfidence): boolean {
  return c === 'official' || c === 'anchored';
}

/** The usage picture of one window, with where it came from. */
export interface UsageView {
  /**
   * e.g. `server:five_hour` (status line), `server:usage_api:five_hour`, `server:limit_line:five_hour`,
   * `server:five_hour+local` (anchored), `claude-monitor:max5`, `local:plan:max5`, `local:p90`, `local:config`.
   */
  source: string;
  /** The window the figures describe. */
  window: UsageWindow;
  /** How old the figure is (0 for ccguard's own, computed just now). */
  ageMs: number | null;
  confidence: UsageConfidence;
  /**
   * The weekly window when a source reports it: the same thresholds apply to it, and the tighter of
   * the two windows acts. Only on the 5-hour view.
   */
  weekly?: UsageView | null;
  /** ccguard's token limit (local figures); null for the server's, which are shares only. */
  limitTokens: number | null;
  /** Input + output tokens ccguard counted in the window. */
  usedTokens: number;
  /** The used share of the window's limit (1 = the limit). */
  share: number | null;
  /** Where the share is headed by the reset at the measured pace, when a pace could be measured. */
  projectedShare: number | null;
  /** How the projection was measured (describe.ts words it). */
  projectionBasis: ProjectionBasis | null;
  costUsd: number;
  /** ccguard's 5-hour block start (for keys and the cost figures). */
  blockStart: number | null;
  /** When the window resets: the server's time when known, else the block end. */
  resetAt: number | null;
  /** Average input + output tokens per response in the block. */
  tokensPerCall: number;
  /** Input + output tokens per minute over the block so far. */
  burnPerMinute: number | null;
  /** When the newest response was written. */
  lastActivityAt?: number | null;
  /** For a figure built on a server reading: what it rests on, for a lease to bound (lib/hook/lease.ts). */
  basis?: ReadingBasis | null;
}

/**
 * What a figure built on a server reading rests on: enough for a lease to tell whether a later
 * reading, or local usage since, could move it past a threshold without reading SQLite.
 */
export interface ReadingBasis {
  /** The reading's row id and figures. */
  id: number;
  pct: number;
  resetsAt: number | null;
  /** Share added per local token since the reading (the anchored ratio; 0 without one). */
  perToken: number;
  /** The first reading the ratio is learned from, and the local tokens counted between it and the last. */
  ratioFirstPct: number;
  ratioTokens: number;
  /** The first reading the pace (projection) is measured from; null when none stands in the last hour. */
  burnFirstPct: number | null;
  burnFirstAt: number | null;
  /** Until when the figure stands on its own: the reading going stale, the anchored estimate ending, a reading leaving the ratio's or the pace's look-back. */
  firmUntil: number;
}

/** Where a projection's pace comes from: the server's readings over `spanMin` minutes, claude-monitor's burn rate, or ccguard's block so far. */
export type ProjectionBasis =
  { kind: 'server_readings'; spanMin: number } | { kind: 'monitor_burn' } | { kind: 'local_block' };

/** A limit Claude Code hit that binds one model family only (an Opus or Sonnet weekly limit). */
export interface ModelHold {
  family: 'opus' | 'sonnet';
  until: number;
  /** The limit line's text, as Claude Code wrote it. */
  text: string;
}
