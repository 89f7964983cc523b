import type { PolicyInput, Verdict, RecoveryState, UsageView, LiftScope, Decision, PolicyMessage } from './types.ts';
import { isServerFigure, mayEnforce, WINDOW_MS } from '../usage/types.ts';
import { pace } from './pacing.ts';
import { HOUR_MS } from '../util/time.ts';
import { render } from './messages.ts';

function decision(state: RecoveryState, d: Partial<Decision> = {}): Decision {
  return {
    action: 'allow',
    sleepMs: 0,
    state,
    message: null,
    onceKey: null,
    noticeKey: null,
    startPause: null,
    ...d,
  };
}

/** The prompt Claude Code submits by itself once a usage limit has reset: never held back. */
export const AUTO_CONTINUE_PROMPT = 'Your claude.ai usage limit has reset.';

export function isAutoContinue(prompt: string | null | undefined): boolean {
  return typeof prompt === 'string' && prompt.trimStart().startsWith(AUTO_CONTINUE_PROMPT);
}

/**
 * The decision for one hook call, from the usage figures and the shared recovery state. Pure: no
 * clock, no I/O, no words (lib/policy/messages.ts renders the message it picks). Order matters: a
 * pause beats everything, then hard limits, then backoff, then the usage windows, and a plain allow
 * when nothing applies. Usage figures delay or deny only when they are the server's (or a limit the
 * user wrote down); estimates warn.
 */
export function evaluate(i: PolicyInput): Decision {
  const c = i.config;
  const r = c.recovery;
  const gated = i.hook === 'PreToolUse' || i.hook === 'UserPromptSubmit';
  if (!gated) return decision('normal');
  if (i.tool !== null && r.never_gate.includes(i.tool)) return decision('normal');
  const isTool = i.hook === 'PreToolUse';
  // Claude Code's own automatic continue after a reset must reach the model, whatever else holds.
  if (!isTool && isAutoContinue(i.prompt)) return decision('normal');
  const maxSleep = r.max_sleep_seconds * 1000;
  const u = i.usage;
  const blockKey = String(u.blockStart ?? 0);

  if (i.pause && i.pause.until > i.now) {
    const p = i.pause;
    return decision('paused', {
      action: 'deny',
      holdUntil: p.until,
      message: { kind: 'paused', reason: p.reason, until: p.until, waitMs: p.until - i.now },
    });
  }

  const hard = c.alerts.hard_cost_limit;
  if (hard !== null && u.costUsd >= hard) {
    return decision('cost_limit', {
      action: 'deny',
      holdUntil: u.resetAt,
      message: { kind: 'hard_cost_limit', costUsd: u.costUsd, limitUsd: hard, resetAt: u.resetAt },
      noticeKey: `hardcost:${blockKey}`,
    });
  }

  if (r.rate_limit === 'exponential_backoff' && i.backoff && i.backoff.until > i.now) {
    const { level, until } = i.backoff;
    const wait = until - i.now;
    if (wait <= maxSleep) {
      return decision('backoff', {
        action: 'delay',
        sleepMs: wait,
        message: { kind: 'backoff_sleep', level, until, waitMs: wait, toUser: isTool },
      });
    }
    return decision('backoff', {
      action: 'deny',
      holdUntil: until,
      message: { kind: 'backoff_hold', level, until, waitMs: wait },
    });
  }

  if (r.time_limit === 'session_pause' && i.sessionClockFrom !== null) {
    const ran = i.now - i.sessionClockFrom;
    if (ran >= c.alerts.time_threshold * HOUR_MS) {
      const pause = { until: i.now + r.pause.minutes * 60_000, ranMs: ran, thresholdHours: c.alerts.time_threshold };
      return decision('paused', {
        action: 'deny',
        holdUntil: pause.until,
        startPause: pause,
        message: { kind: 'session_time_paused', ...pause, waitMs: pause.until - i.now },
        noticeKey: `timepause:${i.sessionId}:${Math.floor(i.now / 60_000)}`,
      });
    }
  }

  const overCost = r.cost_limit === 'graceful_degradation' && u.costUsd >= c.alerts.cost_threshold;
  const degraded = overCost || i.forcedDegrade;
  // `ccguard alert cost` turns the degradation on whatever the cost: the messages then say so.
  const cost = { costUsd: u.costUsd, thresholdUsd: c.alerts.cost_threshold, byHand: degraded && !overCost };
  if (degraded && isTool && i.tool !== null && r.degradation.deny_tools.includes(i.tool)) {
    return decision('degraded', {
      action: 'deny',
      message: { kind: 'tool_off', tool: i.tool, ...cost },
      noticeKey: `cost:${blockKey}`,
    });
  }

  // Each hold is lifted on its own: `ccguard resume` lifted the ones in force then, not one that came later.
  const lifted = (scope: LiftScope): boolean => (i.lifts?.[scope] ?? 0) > i.now;
  // The usage windows: the 5-hour one and, when reported, the weekly one; the tighter acts.
  const windows = u.weekly ? [u, u.weekly] : [u];
  const acted = windows
    .map((w) => windowDecision(i, w, isTool, maxSleep, lifted))
    .filter((x): x is Ranked => x !== null)
    .sort(tighterFirst);
  const first = acted[0];

  const held = modelHoldDecision(i, isTool, lifted);
  if (held) {
    // Both a model-family limit and a used-up window deny: the one that lasts longer is the one to
    // name, or the answer would promise calls again at a time the other still holds them.
    const windowUntil = first?.d.window === 'seven_day' ? u.weekly?.resetAt : u.resetAt;
    if (held.d.action === 'deny' && first?.d.action === 'deny' && (windowUntil ?? Infinity) > held.until)
      return first.d;
    return held.d;
  }
  if (first && (first.d.action !== 'allow' || !degraded)) return first.d;

  if (degraded) {
    return decision('degraded', {
      onceKey: `degrade:${blockKey}:${i.sessionId}`,
      message: { kind: 'degraded', tools: r.degradation.deny_tools, ...cost },
      noticeKey: `cost:${blockKey}`,
    });
  }
  return decision('normal');
}

/** A window's decision with what ranks it against the other window's. */
interface Ranked {
  d: Decision;
  share: number;
}

const STATE_RANK: Partial<Record<RecoveryState, number>> = { held: 3, pacing: 2, warned: 1 };
const rank = (d: Decision): number =>
  (d.action === 'deny' ? 20 : d.action === 'delay' ? 10 : 0) + (STATE_RANK[d.state] ?? 0);

/** Deny before delay before advice; the longer sleep, then the higher share; the 5-hour window on a tie. */
function tighterFirst(a: Ranked, b: Ranked): number {
  return rank(b.d) - rank(a.d) || b.d.sleepMs - a.d.sleepMs || b.share - a.share;
}

const keyOf = (u: UsageView): string =>
  u.window === 'seven_day' ? `7d:${u.resetAt ?? 0}` : `5h:${u.resetAt ?? u.blockStart ?? 0}`;

/**
 * One window against its thresholds. A figure that may not enforce (an estimate) only warns, once
 * per crossing; the server's figure (or a configured limit) also slows calls ahead of the pace line,
 * winds the work down near the wall, and holds tool calls back once the window is used up.
 */
function windowDecision(
  i: PolicyInput,
  u: UsageView,
  isTool: boolean,
  maxSleep: number,
  liftedScope: (s: LiftScope) => boolean,
): Ranked | null {
  const lifted = liftedScope(u.window);
  const share = u.share;
  if (share === null) return null;
  const a = i.config.alerts;
  const key = keyOf(u);
  const session = i.sessionId;
  // What every message about the window names; a reset already passed is not named.
  const facts = {
    window: u.window,
    share,
    source: u.source,
    confidence: u.confidence,
    resetAt: u.resetAt !== null && u.resetAt > i.now ? u.resetAt : null,
  };
  const ranked = (d: Decision): Ranked => ({ d: { ...d, window: u.window }, share });
  const enforce = mayEnforce(u.confidence) && !lifted;
  const server = isServerFigure(u.confidence);
  const p = pace(share, u.resetAt, WINDOW_MS[u.window], i.now);
  // A hold this figure would put on, lifted by `ccguard resume`: the messages say so.
  const liftedHold = lifted && mayEnforce(u.confidence);

  if (p.kind === 'used_up') {
    const noticeKey = `limit:${key}`;
    if (!enforce) {
      return ranked(
        decision('warned', {
          onceKey: `used:${key}:${session}`,
          noticeKey,
          message: { kind: 'window_reached', ...facts, lifted: liftedHold },
        }),
      );
    }
    if (!isTool) {
      // Prompts pass: the model can answer without tools and tell the user; tool calls are held.
      return ranked(
        decision('held', {
          onceKey: `held-prompt:${key}:${session}`,
          noticeKey,
          message: { kind: 'window_used_up_prompt', ...facts },
        }),
      );
    }
    return ranked(
      decision('held', {
        action: 'deny',
        holdUntil: u.resetAt,
        noticeKey,
        message: { kind: 'window_used_up', ...facts, waitMs: p.waitMs },
      }),
    );
  }

  const windDown = server && !lifted && share >= a.wind_down;
  const windDownMarks = { onceKey: `wind-down:${key}:${session}`, noticeKey: `wind-down:${key}` };

  if (enforce && p.kind === 'ahead' && share >= a.rate_limit_threshold) {
    const sleep = isTool ? Math.min(p.waitMs, maxSleep) : 0;
    const message: PolicyMessage = { kind: 'pacing', ...facts, line: p.line, sleepMs: sleep, windDown };
    return ranked(
      decision('pacing', {
        action: sleep > 0 ? 'delay' : 'allow',
        sleepMs: sleep,
        message,
        ...(windDown ? windDownMarks : { onceKey: `pacing:${key}:${session}`, noticeKey: `pacing:${key}` }),
      }),
    );
  }
  if (windDown) return ranked(decision('warned', { ...windDownMarks, message: { kind: 'wind_down', ...facts } }));

  if (share >= a.token_threshold) {
    const tokensLeft = u.limitTokens !== null ? Math.max(0, u.limitTokens - u.usedTokens) : null;
    return ranked(
      decision('warned', {
        onceKey: `warn:${key}:${session}`,
        noticeKey: `token:${key}`,
        message: { kind: 'window_warning', ...facts, lifted: liftedHold, tokensLeft },
      }),
    );
  }
  // A projection never holds anything back: it is advice, and only from a measured pace.
  if (u.projectedShare !== null && u.projectedShare >= 1 && u.projectionBasis !== null && server) {
    return ranked(
      decision('warned', {
        onceKey: `projected:${key}:${session}`,
        message: { kind: 'window_projected', ...facts, basis: u.projectionBasis },
      }),
    );
  }
  return null;
}

/** A limit that binds one model family holds back the sessions on that family only. */
function modelHoldDecision(
  i: PolicyInput,
  isTool: boolean,
  liftedScope: (s: LiftScope) => boolean,
): { d: Decision; until: number } | null {
  const model = i.sessionModel?.toLowerCase() ?? null;
  if (model === null) return null;
  const hold = (i.modelHolds ?? []).find((h) => h.until > i.now && model.includes(h.family));
  if (!hold) return null;
  const lifted = liftedScope(hold.family);
  const facts = { family: hold.family, until: hold.until, limitLine: hold.text };
  const noticeKey = `model-hold:${hold.family}:${hold.until}`;
  if (lifted || !isTool) {
    const onceKey = `model-hold:${hold.family}:${hold.until}:${i.sessionId}`;
    const d = decision('warned', { onceKey, noticeKey, message: { kind: 'model_limit', ...facts, lifted } });
    return { until: hold.until, d };
  }
  const d = decision('held', {
    action: 'deny',
    holdUntil: hold.until,
    noticeKey,
    message: { kind: 'model_limit_held', ...facts, waitMs: hold.until - i.now },
  });
  return { until: hold.until, d };
}

/** Observe mode keeps the decision's state, message and notice but never blocks, delays or pauses. */
export function observed(d: Decision): Decision {
  if (d.action === 'allow') return d;
  return { ...d, action: 'allow', sleepMs: 0, startPause: null };
}

/** The verdict as applied, in words: `evaluate`, softened by observe mode when the config says so, rendered. */
export function verdictFor(i: PolicyInput): Verdict {
  const d = evaluate(i);
  return render(i.config.mode === 'observe' ? observed(d) : d, i);
}
