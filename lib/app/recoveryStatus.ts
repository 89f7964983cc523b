import type { Store } from '../store/store.ts';
import type { Config } from '../config/schema.ts';
import type { RecoveryState, UsageView } from '../policy/types.ts';
import { evaluate } from '../policy/evaluate.ts';
import { usageHolds } from './holds.ts';
import { backoffView, forcedDegradeUntil, liftedUntil, pauseView } from './recovery.ts';
import { usagePicture, type UsagePicture } from '../usage/sources.ts';
import { iso } from '../util/time.ts';

export interface RecoveryStatus {
  state: RecoveryState;
  reason: string | null;
  until: string | null;
  source: string;
  backoff: { level: number; until: string } | null;
  session_pauses: { session_id: string; until: string; reason: string }[];
}

/** The recovery state as a tool call from a fresh session would meet it now (on `usage` when given). */
export function recoveryStatus(store: Store, config: Config, now: number, picture: UsagePicture = usagePicture(store, config, now)): RecoveryStatus {
  const usage: UsageView = picture.view;
  const pause = pauseView(store, null, now);
  const backoff = backoffView(store, config, now);
  const forcedUntil = forcedDegradeUntil(store, now);
  const v = evaluate({
    hook: 'PreToolUse',
    tool: null,
    sessionId: '(status)',
    now,
    config,
    usage,
    sessionClockFrom: null,
    pause,
    backoff,
    forcedDegrade: forcedUntil !== null,
    modelHolds: picture.modelHolds,
    liftedUntil: liftedUntil(store, now),
  });
  const until =
    v.state === 'paused' && pause
      ? pause.until
      : v.state === 'backoff' && backoff
        ? backoff.until
        : v.state === 'held' || v.state === 'pacing'
          ? // The window that holds (the weekly one resets days after the 5-hour one).
            (usageHolds(usage, [], config, now)[0]?.until ?? usage.resetAt)
          : v.state === 'degraded' && forcedUntil !== null && !(config.recovery.cost_limit === 'graceful_degradation' && usage.costUsd >= config.alerts.cost_threshold)
            ? // Forced by hand (`ccguard alert cost`) under the threshold: it ends when the force does.
              forcedUntil
            : v.state !== 'normal'
              ? usage.resetAt
              : null;
  const session_pauses = store.recovery
    .all()
    .filter((r) => r.kind === 'pause' && r.session_id && r.until !== null && r.until > now)
    .map((r) => ({ session_id: r.session_id!, until: iso(r.until!), reason: r.reason }));
  return {
    state: v.state === 'normal' && session_pauses.length > 0 ? 'paused' : v.state,
    reason: v.reason ?? v.userMessage ?? (session_pauses[0] ? `session ${session_pauses[0].session_id} paused: ${session_pauses[0].reason}` : null),
    until: until === null ? (session_pauses[0]?.until ?? null) : iso(until),
    source: usage.source,
    backoff: backoff && backoff.until > now ? { level: backoff.level, until: iso(backoff.until) } : null,
    session_pauses,
  };
}
