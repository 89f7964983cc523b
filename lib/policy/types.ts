import type { Config } from '../config/schema.ts';

export const HOOK_EVENTS = [
  'PreToolUse',
  'PostToolUse',
  'UserPromptSubmit',
  'Stop',
  'StopFailure',
  'SubagentStop',
  'SessionStart',
  'SessionEnd',
  'Notification',
] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** What `ccguard status` calls the recovery state. */
export type RecoveryState = 'normal' | 'warned' | 'pacing' | 'backoff' | 'paused' | 'degraded';

/**
 * How far a usage figure can be trusted: the server's own (`official`), ccguard's or claude-monitor's
 * estimate against a plan or P90 (`local_estimate`), against the limit the server's figures implied
 * (`calibrated`), or against a guess (`unknown`: never grounds a delay or a deny).
 */
export type UsageConfidence = 'official' | 'local_estimate' | 'calibrated' | 'unknown';

/** The two windows Claude's subscription limits run on. */
export type UsageWindow = 'five_hour' | 'seven_day';

/** The usage picture a decision rests on, with where it came from. */
export interface UsageView {
  /** e.g. `local:p90`, `local:plan:max5`, `local:calibrated`, `server:five_hour`, `claude-monitor:max5`. */
  source: string;
  /** The window the figures describe; five_hour when not set. */
  window?: UsageWindow;
  /** How old the figure is (0 for ccguard's own, computed just now). */
  ageMs?: number | null;
  confidence?: UsageConfidence;
  /**
   * The weekly window, when the server (or claude-monitor) reports it: the same thresholds and
   * recovery apply to it, and the tighter of the two windows acts. Only on the 5-hour view.
   */
  weekly?: UsageView | null;
  limitTokens: number | null;
  /** Input + output tokens in the current block. */
  usedTokens: number;
  share: number | null;
  projectedShare: number | null;
  costUsd: number;
  blockStart: number | null;
  /** When the window resets: a limit message's reset time, else the block end. */
  resetAt: number | null;
  /** Average input + output tokens per response in the block: what one more call costs. */
  tokensPerCall: number;
  /** Input + output tokens per minute over the block so far. */
  burnPerMinute: number | null;
  /** When the newest response was written: the time since it is time already waited. */
  lastActivityAt?: number | null;
}

export interface PauseView {
  scope: 'global' | 'session';
  kind: 'manual' | 'time' | 'limit';
  until: number;
  reason: string;
}

export interface BackoffView {
  level: number;
  until: number;
  lastErrorAt: number;
}

export interface PolicyInput {
  hook: HookEvent;
  tool: string | null;
  sessionId: string;
  now: number;
  config: Config;
  usage: UsageView;
  /** First activity of the session, or when `ccguard resume` last lifted its time pause. */
  sessionClockFrom: number | null;
  pause: PauseView | null;
  backoff: BackoffView | null;
  /** Degradation forced by `ccguard alert cost`, whatever the cost. */
  forcedDegrade: boolean;
}

export interface Notice {
  /** Dedupe key: one notification per key, across processes. */
  key: string;
  title: string;
  message: string;
}

export interface Verdict {
  action: 'allow' | 'delay' | 'deny';
  sleepMs: number;
  state: RecoveryState;
  reason: string | null;
  /** Shown to the user (systemMessage), once per `onceKey`. */
  userMessage: string | null;
  /** Told to the model (additionalContext), once per `onceKey`. */
  modelContext: string | null;
  /** When set, the messages go out only if this mark is claimed now (once per crossing). */
  onceKey: string | null;
  /** A session pause this decision starts. */
  startPause: { until: number; reason: string } | null;
  notice: Notice | null;
}
