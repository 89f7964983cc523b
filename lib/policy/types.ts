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
import type { UsageView, ModelHold, UsageWindow } from '../usage/types.ts';

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
  /** How a printed command starts so that it runs as printed (ownCli: `ccguard`, or node and the script by path); default `ccguard`. */
  cli?: string;
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
