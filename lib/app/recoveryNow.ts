import type { Store } from '../store/store.ts';
import type { Config } from '../config/schema.ts';
import type { PolicyInput, RecoveryState, UsageView } from '../policy/types.ts';
import type { UsageWindow } from '../usage/types.ts';
import { evaluate } from '../policy/evaluate.ts';
import { render } from '../policy/messages.ts';
import { usageHolds } from './holds.ts';
import { backoffView, forcedDegradeUntil, liftsOf, pauseView } from './recovery.ts';
import { usagePicture, type UsagePicture } from '../usage/sources.ts';
import { iso } from '../util/time.ts';
import { ownCliLater } from '../config/root.ts';
import type { Env } from '../util/paths.ts';

export interface RecoveryStatus {
  state: RecoveryState;
  reason: string | null;
  until: string | null;
  source: string;
  backoff: { level: number; until: string } | null;
  session_pauses: { session_id: string; until: string; reason: string }[];
}

/** The recovery state as values (recoveryJson prints it). Times in epoch ms. */
export interface RecoveryNow {
  state: RecoveryState;
  reason: string | null;
  until: number | null;
  source: string;
  backoff: { level: number; until: number } | null;
  sessionPauses: { sessionId: string; until: number; reason: string }[];
  /** The usage window the state speaks of (the one that holds, slows or warns), when one does: the hook's verdict names the same. */
  window: UsageWindow | null;
}

/** The recovery state in `status`'s shape (ISO times). */
export function recoveryJson(r: RecoveryNow): RecoveryStatus {
  return {
    state: r.state,
    reason: r.reason,
    until: r.until === null ? null : iso(r.until),
    source: r.source,
    backoff: r.backoff ? { level: r.backoff.level, until: iso(r.backoff.until) } : null,
    session_pauses: r.sessionPauses.map((p) => ({ session_id: p.sessionId, until: iso(p.until), reason: p.reason })),
  };
}

/** The recovery state as a tool call from a fresh session of the account would meet it now (on `picture` when given). */
export function recoveryNow(
  store: Store,
  config: Config,
  account: string,
  now: number,
  picture: UsagePicture = usagePicture(store, config, account, now),
  env: Env = process.env,
): RecoveryNow {
  const usage: UsageView = picture.view;
  const pause = pauseView(store, account, null, now);
  const backoff = backoffView(store, config, account, now);
  const forcedUntil = forcedDegradeUntil(store, now);
  const pi: PolicyInput = {
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
    lifts: liftsOf(store, account, now),
    cli: ownCliLater(env),
  };
  const v = render(evaluate(pi), pi);
  const until =
    v.state === 'paused' && pause
      ? pause.until
      : v.state === 'backoff' && backoff
        ? backoff.until
        : v.state === 'held' || v.state === 'pacing'
          ? // The window that holds (the weekly one resets days after the 5-hour one): the verdict's.
            ((v.window === 'seven_day' ? usage.weekly?.resetAt : usage.resetAt) ??
            usageHolds(usage, [], config, now)[0]?.until ??
            usage.resetAt)
          : v.state === 'degraded' &&
              forcedUntil !== null &&
              !(config.recovery.cost_limit === 'graceful_degradation' && usage.costUsd >= config.alerts.cost_threshold)
            ? // Forced by hand (`ccguard alert cost`) under the threshold: it ends when the force does.
              forcedUntil
            : v.state !== 'normal'
              ? usage.resetAt
              : null;
  const sessionPauses = store.recovery
    .all()
    .filter((r) => r.kind === 'pause' && r.session_id && r.account === account && r.until !== null && r.until > now)
    .map((r) => ({ sessionId: r.session_id!, until: r.until!, reason: r.reason }));
  return {
    state: v.state === 'normal' && sessionPauses.length > 0 ? 'paused' : v.state,
    reason:
      v.reason ??
      v.userMessage ??
      (sessionPauses[0] ? `session ${sessionPauses[0].sessionId} paused: ${sessionPauses[0].reason}` : null),
    until: until ?? sessionPauses[0]?.until ?? null,
    source: usage.source,
    backoff: backoff && backoff.until > now ? { level: backoff.level, until: backoff.until } : null,
    sessionPauses,
    window: v.window ?? null,
  };
}

/** What a fresh tool call would be held back for now, and until when (epoch ms; null: until lifted). */
export interface InForce {
  inForce: boolean;
  state: RecoveryState;
  until: number | null;
  reason: string | null;
}

/**
 * What a fresh tool call would be held back for right now: a pause (global or a session's), the
 * rate-limit backoff, the hard cost limit, or a hold the server's figures put on it (a used-up
 * window, a model-family limit) unless `ccguard resume` lifted it. Until the first of them ends.
 * What `ccguard wait` waits out.
 */
export function whatIsInForce(store: Store, config: Config, account: string, now: number): InForce {
  const pic = usagePicture(store, config, account, now);
  const r = recoveryNow(store, config, account, now, pic);
  if (r.state === 'paused' || r.state === 'backoff') {
    return { inForce: true, state: r.state, until: r.until, reason: r.reason };
  }
  const hard = config.alerts.hard_cost_limit;
  const u = pic.view;
  if (r.state === 'cost_limit' && hard !== null && u.costUsd >= hard && u.resetAt !== null && u.resetAt > now) {
    return { inForce: true, state: r.state, until: u.resetAt, reason: r.reason };
  }
  // Pacing slows calls but lets them through: only a hold that denies, and was not lifted, is waited out.
  const lifts = liftsOf(store, account, now);
  const hold = usageHolds(pic.view, pic.modelHolds, config, now).find(
    (h) => h.kind !== 'pacing' && lifts[h.scope] === undefined,
  );
  if (hold && hold.until !== null && hold.until > now) {
    return { inForce: true, state: 'held', until: hold.until, reason: hold.what };
  }
  return { inForce: false, state: r.state, until: null, reason: null };
}
