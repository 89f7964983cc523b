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
/**
 * What `ccguard status` calls the recovery state: `degraded` is the cost threshold (some tools off),
 * `cost_limit` the hard cost limit (everything denied), `held` a used-up usage window or model limit.
 */
export type RecoveryState = 'normal' | 'warned' | 'pacing' | 'held' | 'backoff' | 'paused' | 'degraded' | 'cost_limit';

export type { UsageConfidence, UsageView, ModelHold } from '../usage/types.ts';
import type { UsageView, ModelHold, UsageWindow, UsageConfidence, ProjectionBasis } from '../usage/types.ts';

export interface PauseView {
  scope: 'global' | 'session';
  kind: 'manual' | 'time';
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
  /** The prompt of a UserPromptSubmit (Claude Code's automatic continue is told apart by it). */
  prompt?: string | null;
  /** The model the session last used (for limits that bind one model family). */
  sessionModel?: string | null;
  /** Opus- or Sonnet-only limits Claude Code hit, in force until their reset. */
  modelHolds?: readonly ModelHold[];
  /** The holds `ccguard resume` lifted, each until when (they warn meanwhile, never hold). */
  lifts?: Lifts | null;
  /** How a printed command starts so that it runs as printed (ownCli: `ccguard`, or node and the script by path); default `ccguard`. Asked only when a message names it. */
  cli?: () => string;
}

/** What `ccguard resume` lifts: the hold of one window, or of one model family's limit. */
export type LiftScope = 'five_hour' | 'seven_day' | 'opus' | 'sonnet';
export type Lifts = Partial<Record<LiftScope, number>>;

export interface Notice {
  /** Dedupe key: one notification per key, across processes. */
  key: string;
  title: string;
  message: string;
}

export interface Verdict {
  /** `defer` only for unattended sessions (lib/policy/unattended.ts), never from `evaluate`. */
  action: 'allow' | 'delay' | 'deny' | 'defer';
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
  /**
   * A deny that holds the session until a time (a pause, a backoff, a used-up window, a model limit,
   * the hard cost limit): when it ends, null when no end is known. Absent for a deny that is not a
   * hold (a tool turned off by the cost degradation). An unattended session defers such a call.
   */
  holdUntil?: number | null;
  /** The usage window the verdict speaks of (its figure, share, source and reset), when one acted; what every view names (lib/app/story.ts). */
  window?: UsageWindow;
}

/** The facts every message about one usage window names: its figure, where it comes from, its reset. */
interface WindowFacts {
  window: UsageWindow;
  share: number;
  source: string;
  confidence: UsageConfidence;
  /** The window's reset while it is still ahead; null when none is known or it has passed (none is named). */
  resetAt: number | null;
}

/** A session pause a decision starts: the session ran past `alerts.time_threshold`. */
export interface TimePause {
  until: number;
  ranMs: number;
  thresholdHours: number;
}

/**
 * Which message a decision says, with the numbers it names. The words are written in one place,
 * lib/policy/messages.ts; `evaluate` only picks the kind and the figures.
 */
export type PolicyMessage =
  /** A pause (`ccguard pause`, or a session's time pause) in force; `reason` as it was recorded. */
  | { kind: 'paused'; reason: string; until: number; waitMs: number }
  /** This call starts a session pause: the session ran past its time threshold. */
  | (TimePause & { kind: 'session_time_paused'; waitMs: number })
  | { kind: 'hard_cost_limit'; costUsd: number; limitUsd: number; resetAt: number | null }
  /** A backoff short enough to sleep through; `toUser`: a tool call, whose wait the user is told of. */
  | { kind: 'backoff_sleep'; level: number; until: number; waitMs: number; toUser: boolean }
  | { kind: 'backoff_hold'; level: number; until: number; waitMs: number }
  /** A tool the cost degradation turned off; `byHand`: `ccguard alert cost`, not the block's cost. */
  | { kind: 'tool_off'; tool: string; costUsd: number; thresholdUsd: number; byHand: boolean }
  | { kind: 'degraded'; tools: readonly string[]; costUsd: number; thresholdUsd: number; byHand: boolean }
  /** A window used up by a figure that may not hold (an estimate), or whose hold was lifted (`lifted`). */
  | (WindowFacts & { kind: 'window_reached'; lifted: boolean })
  /** A used-up window met by a prompt: it passes, tool calls are held. */
  | (WindowFacts & { kind: 'window_used_up_prompt' })
  | (WindowFacts & { kind: 'window_used_up'; waitMs: number })
  /** Ahead of the pace line (`line`), tool calls slowed by `sleepMs`; `windDown`: also past `alerts.wind_down`. */
  | (WindowFacts & { kind: 'pacing'; line: number; sleepMs: number; windDown: boolean })
  | (WindowFacts & { kind: 'wind_down' })
  /** Past `alerts.token_threshold`; `lifted`: a hold the figure put on was lifted (`ccguard resume`). */
  | (WindowFacts & { kind: 'window_warning'; lifted: boolean; tokensLeft: number | null })
  | (WindowFacts & { kind: 'window_projected'; basis: ProjectionBasis })
  /** A model family's limit met by a prompt, or lifted (`lifted`): calls go on, with the truth told. */
  | { kind: 'model_limit'; family: ModelHold['family']; until: number; limitLine: string; lifted: boolean }
  | { kind: 'model_limit_held'; family: ModelHold['family']; until: number; limitLine: string; waitMs: number };

/** What `evaluate` decides for one hook call: the action and the facts, no words (render them with lib/policy/messages.ts). */
export interface Decision {
  action: 'allow' | 'delay' | 'deny';
  sleepMs: number;
  state: RecoveryState;
  /** The message the decision says, if any. */
  message: PolicyMessage | null;
  /** When set, the message goes out only if this mark is claimed now (once per crossing). */
  onceKey: string | null;
  /** The dedupe key of the desktop notification the message makes, if it makes one. */
  noticeKey: string | null;
  startPause: TimePause | null;
  /** As Verdict.holdUntil. */
  holdUntil?: number | null;
  /** As Verdict.window. */
  window?: UsageWindow;
}
