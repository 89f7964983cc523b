import type { PolicyInput, Verdict, RecoveryState, Notice, UsageView, LiftScope } from './types.ts';
import { isServerFigure, mayEnforce, WINDOW_MS } from '../usage/types.ts';
import { pace } from './pacing.ts';
import { fmtAt, fmtDuration, fmtPct, fmtUsd } from '../util/format.ts';
import { HOUR_MS } from '../util/time.ts';
import { projectionBasisText, windowName } from '../usage/describe.ts';


function verdict(state: RecoveryState, v: Partial<Verdict> = {}): Verdict {
  return {
    action: 'allow',
    sleepMs: 0,
    state,
    reason: null,
    userMessage: null,
    modelContext: null,
    onceKey: null,
    startPause: null,
    notice: null,
    ...v,
  };
}

/** The way out every hold names, written so that it runs as printed (PolicyInput.cli). */
const liftText = (i: PolicyInput): string => `Run \`${i.cli ?? 'ccguard'} resume\` to lift it.`;

/** The prompt Claude Code submits by itself once a usage limit has reset: never held back. */
export const AUTO_CONTINUE_PROMPT = 'Your claude.ai usage limit has reset.';

export function isAutoContinue(prompt: string | null | undefined): boolean {
  return typeof prompt === 'string' && prompt.trimStart().startsWith(AUTO_CONTINUE_PROMPT);
}

/**
 * The decision for one hook call, from the usage figures and the shared recovery state. Pure: no
 * clock, no I/O. Order matters: a pause beats everything, then hard limits, then backoff, then the
 * usage windows, and a plain allow when nothing applies. Usage figures delay or deny only when they
 * are the server's (or a limit the user wrote down); estimates warn.
 */
export function evaluate(i: PolicyInput): Verdict {
  const c = i.config;
  const r = c.recovery;
  const gated = i.hook === 'PreToolUse' || i.hook === 'UserPromptSubmit';
  if (!gated) return verdict('normal');
  if (i.tool !== null && r.never_gate.includes(i.tool)) return verdict('normal');
  const isTool = i.hook === 'PreToolUse';
  // Claude Code's own automatic continue after a reset must reach the model, whatever else holds.
  if (!isTool && isAutoContinue(i.prompt)) return verdict('normal');
  const maxSleep = r.max_sleep_seconds * 1000;
  const u = i.usage;
  const blockKey = String(u.blockStart ?? 0);

  if (i.pause && i.pause.until > i.now) {
    const p = i.pause;
    return verdict('paused', {
      action: 'deny',
      holdUntil: p.until,
      reason: `ccguard: ${p.reason}. Paused until ${fmtAt(p.until, i.now)} (${fmtDuration(p.until - i.now, 'wait')} from now). ${liftText(i)}`,
    });
  }

  const hard = c.alerts.hard_cost_limit;
  if (hard !== null && u.costUsd >= hard) {
    return verdict('cost_limit', {
      action: 'deny',
      holdUntil: u.resetAt,
      reason: `ccguard: this 5-hour block has cost ${fmtUsd(u.costUsd)}, past the hard limit of ${fmtUsd(hard)} (alerts.hard_cost_limit). Everything is denied until the block resets${u.resetAt ? ` at ${fmtAt(u.resetAt, i.now)}` : ''}.`,
      notice: { key: `hardcost:${blockKey}`, title: 'ccguard: hard cost limit', message: `Block cost ${fmtUsd(u.costUsd)} ≥ ${fmtUsd(hard)}: tools denied.` },
    });
  }

  if (r.rate_limit === 'exponential_backoff' && i.backoff && i.backoff.until > i.now) {
    const wait = i.backoff.until - i.now;
    const why = `rate limited by the API (${i.backoff.level} in a row); backing off until ${fmtAt(i.backoff.until, i.now)}`;
    if (wait <= maxSleep) {
      // A sleep the user would otherwise only see as a stall: say what it is, on every such call.
      return verdict('backoff', {
        action: 'delay',
        sleepMs: wait,
        reason: `ccguard: ${why}`,
        userMessage: isTool ? `ccguard: the API rate-limited this session (${i.backoff.level} in a row); this tool call waited ${fmtDuration(wait, 'wait')} before running.` : null,
      });
    }
    return verdict('backoff', {
      action: 'deny',
      holdUntil: i.backoff.until,
      reason: `ccguard: ${why}, ${fmtDuration(wait, 'wait')} from now. Wait, then retry. ${liftText(i)}`,
    });
  }

  if (r.time_limit === 'session_pause' && i.sessionClockFrom !== null) {
    const ran = i.now - i.sessionClockFrom;
    if (ran >= c.alerts.time_threshold * HOUR_MS) {
      const until = i.now + r.pause.minutes * 60_000;
      const reason = `this session has run ${fmtDuration(ran, 'wait')}, past the ${c.alerts.time_threshold}h limit (alerts.time_threshold)`;
      return verdict('paused', {
        action: 'deny',
        holdUntil: until,
        startPause: { until, reason },
        reason: `ccguard: ${reason}. Paused until ${fmtAt(until, i.now)} (${fmtDuration(until - i.now, 'wait')} from now). ${liftText(i)}`,
        notice: { key: `timepause:${i.sessionId}:${Math.floor(i.now / 60_000)}`, title: 'ccguard: session paused', message: `Session ran ${fmtDuration(ran, 'wait')}; paused until ${fmtAt(until, i.now)}.` },
      });
    }
  }

  const overCost = r.cost_limit === 'graceful_degradation' && u.costUsd >= c.alerts.cost_threshold;
  const degraded = overCost || i.forcedDegrade;
  // `ccguard alert cost` turns the degradation on whatever the cost: then the messages say that it
  // was fired by hand, and never that the block's cost passed the threshold.
  const byHand = degraded && !overCost;
  const spent = `this 5-hour block has cost ${fmtUsd(u.costUsd)} of the ${fmtUsd(c.alerts.cost_threshold)} threshold (alerts.cost_threshold)`;
  const costNotice: Notice = byHand
    ? { key: `cost:${blockKey}`, title: 'ccguard: cost alert fired by hand', message: `Expensive tools are off (ccguard alert cost); ${spent}.` }
    : {
        key: `cost:${blockKey}`,
        title: 'ccguard: cost threshold',
        message: `Block cost ${fmtUsd(u.costUsd)} passed ${fmtUsd(c.alerts.cost_threshold)}: expensive tools are off.`,
      };
  if (degraded && isTool && i.tool !== null && r.degradation.deny_tools.includes(i.tool)) {
    return verdict('degraded', {
      action: 'deny',
      reason: byHand
        ? `ccguard: ${i.tool} is off because the cost alert was fired by hand (ccguard alert cost), not because of the cost: ${spent}. Finish the task economically with the tools you have. ${liftText(i)}`
        : `ccguard: this 5-hour block has cost ${fmtUsd(u.costUsd)}, past ${fmtUsd(c.alerts.cost_threshold)} (alerts.cost_threshold), so ${i.tool} is off. Finish the task economically with the tools you have.`,
      notice: costNotice,
    });
  }

  // Each hold is lifted on its own: `ccguard resume` lifted the ones in force then, not one that came later.
  const lifted = (scope: LiftScope): boolean => (i.lifts?.[scope] ?? 0) > i.now;
  // The usage windows: the 5-hour one and, when reported, the weekly one; the tighter acts.
  const windows = u.weekly ? [u, u.weekly] : [u];
  const acted = windows
    .map((w) => windowVerdict(i, w, isTool, maxSleep, lifted))
    .filter((x): x is Ranked => x !== null)
    .sort(tighterFirst);
  const first = acted[0];

  const held = modelHoldVerdict(i, isTool, lifted);
  if (held) {
    // Both a model-family limit and a used-up window deny: the one that lasts longer is the one to
    // name, or the answer would promise calls again at a time the other still holds them.
    const windowUntil = first?.v.window === 'seven_day' ? u.weekly?.resetAt : u.resetAt;
    if (held.v.action === 'deny' && first?.v.action === 'deny' && (windowUntil ?? Infinity) > held.until) return first.v;
    return held.v;
  }
  if (first && (first.v.action !== 'allow' || !degraded)) return first.v;

  if (degraded) {
    const tools = r.degradation.deny_tools.join(', ');
    return verdict('degraded', {
      onceKey: `degrade:${blockKey}:${i.sessionId}`,
      userMessage: byHand
        ? `ccguard: the cost alert was fired by hand (ccguard alert cost): ${tools} are off for now; ${spent}. ${liftText(i)}`
        : `ccguard: block cost ${fmtUsd(u.costUsd)} passed ${fmtUsd(c.alerts.cost_threshold)} (alerts.cost_threshold); ${tools} are off.`,
      modelContext: byHand
        ? `ccguard: ${tools} are unavailable for now (turned off by hand); finish the task economically.`
        : `ccguard: the cost threshold for this 5-hour block is passed. ${tools} are unavailable; finish the task economically.`,
      notice: costNotice,
    });
  }
  return verdict('normal');
}

/** A window's verdict with what ranks it against the other window's. */
interface Ranked {
  v: Verdict;
  share: number;
}

const STATE_RANK: Partial<Record<RecoveryState, number>> = { held: 3, pacing: 2, warned: 1 };
const rank = (v: Verdict): number => (v.action === 'deny' || v.action === 'defer' ? 20 : v.action === 'delay' ? 10 : 0) + (STATE_RANK[v.state] ?? 0);

/** Deny before delay before advice; the longer sleep, then the higher share; the 5-hour window on a tie. */
function tighterFirst(a: Ranked, b: Ranked): number {
  return rank(b.v) - rank(a.v) || b.v.sleepMs - a.v.sleepMs || b.share - a.share;
}

const isWeekly = (u: UsageView): boolean => u.window === 'seven_day';
const keyOf = (u: UsageView): string => (isWeekly(u) ? `7d:${u.resetAt ?? 0}` : `5h:${u.resetAt ?? u.blockStart ?? 0}`);

/** A reset time, as every view prints one (fmtAt: with its day when not today). */
export function resetText(ms: number, now: number): string {
  return fmtAt(ms, now);
}

/** "the 5-hour limit" / "the weekly limit". */
const limitName = (u: UsageView): string => windowName(u.window);

/** Where a figure comes from, as every message names it. */
export function sourceText(u: UsageView): string {
  if (isServerFigure(u.confidence)) return u.source;
  if (u.confidence === 'configured') return `${u.source}, the limit in your config`;
  return `estimate: ${u.source}`;
}

/**
 * One window against its thresholds. A figure that may not enforce (an estimate) only warns, once
 * per crossing; the server's figure (or a configured limit) also slows calls ahead of the pace line,
 * winds the work down near the wall, and holds tool calls back once the window is used up.
 */
function windowVerdict(i: PolicyInput, u: UsageView, isTool: boolean, maxSleep: number, liftedScope: (s: LiftScope) => boolean): Ranked | null {
  const lifted = liftedScope(u.window);
  const share = u.share;
  if (share === null) return null;
  const a = i.config.alerts;
  const key = keyOf(u);
  const name = limitName(u);
  const src = sourceText(u);
  const reset = u.resetAt !== null && u.resetAt > i.now ? resetText(u.resetAt, i.now) : null;
  const resetClause = reset && u.resetAt !== null ? ` It resets at ${reset} (${fmtDuration(u.resetAt - i.now, 'wait')} from now).` : '';
  const ranked = (v: Verdict): Ranked => ({ v: { ...v, window: u.window }, share });
  const enforce = mayEnforce(u.confidence) && !lifted;
  const server = isServerFigure(u.confidence);
  const p = pace(share, u.resetAt, WINDOW_MS[u.window], i.now);
  const liftNote = lifted && mayEnforce(u.confidence) ? ' (`ccguard resume` lifted the hold for now)' : '';

  if (p.kind === 'used_up') {
    const notice: Notice = { key: `limit:${key}`, title: `ccguard: ${name} reached`, message: `${fmtPct(share)} of the ${name} used (${src}).${resetClause}` };
    if (!enforce) {
      return ranked(
        verdict('warned', {
          onceKey: `used:${key}:${i.sessionId}`,
          userMessage: `ccguard: ${fmtPct(share)} of the ${name} used (${src})${liftNote}.${resetClause}`,
          modelContext: `ccguard: by ${server ? 'the server' : "ccguard's estimate"} the ${name} is reached (${fmtPct(share)}, ${src}).${resetClause} Bring the work to a safe stopping point.`,
          notice,
        }),
      );
    }
    if (!isTool) {
      // Prompts pass: the model can answer without tools and tell the user; tool calls are held.
      return ranked(
        verdict('held', {
          onceKey: `held-prompt:${key}:${i.sessionId}`,
          userMessage: `ccguard: the ${name} is used up (${fmtPct(share)}, ${src}); tool calls wait until ${reset ?? 'the reset'}. ${liftText(i)}`,
          modelContext: `ccguard: the ${name} is used up (${fmtPct(share)}, ${src}). Tool calls are held back until ${reset ?? 'the reset'}; answer briefly without tools or tell the user to wait.`,
          notice,
        }),
      );
    }
    return ranked(
      verdict('held', {
        action: 'deny',
        holdUntil: u.resetAt,
        reason: `ccguard: the ${name} is used up (${fmtPct(share)}, ${src}).${reset && u.resetAt !== null ? ` Wait ${fmtDuration(p.waitMs, 'wait')}, until ${reset}.` : ''} ${liftText(i)}`,
        notice,
      }),
    );
  }

  const windDown = server && !lifted && share >= a.wind_down;
  const windDownMessages = {
    onceKey: `wind-down:${key}:${i.sessionId}`,
    userMessage: `ccguard: ${fmtPct(share)} of the ${name} used (${src}); the model was told to wind down.${resetClause}`,
    modelContext: `ccguard: ${fmtPct(share)} of the ${name} is used (${src}).${resetClause} Bring your work to a safe stopping point now: finish the current step, commit or save what you have, and leave a short note of what is left, before the limit stops you mid-task.`,
    notice: { key: `wind-down:${key}`, title: 'ccguard: wind down', message: `${fmtPct(share)} of the ${name} used (${src}); the model was told to reach a safe stopping point.` },
  };

  if (enforce && p.kind === 'ahead' && share >= a.rate_limit_threshold) {
    const sleep = isTool ? Math.min(p.waitMs, maxSleep) : 0;
    const slowing = `${fmtPct(share)} of the ${name} used (${src}), ahead of the pace line (${fmtPct(p.line)} by now)`;
    return ranked(
      verdict('pacing', {
        action: sleep > 0 ? 'delay' : 'allow',
        sleepMs: sleep,
        reason: `ccguard: ${slowing}: slowing tool calls by ${fmtDuration(sleep, 'wait')} so the rest lasts until the reset`,
        ...(windDown
          ? windDownMessages
          : {
              onceKey: `pacing:${key}:${i.sessionId}`,
              userMessage: `ccguard: ${slowing}; slowing tool calls so it lasts until ${reset ?? 'the reset'}.`,
              modelContext: `ccguard: ${fmtPct(share)} of the ${name} is used (${src}) and tool calls are being slowed. Work economically: prefer fewer, larger steps.`,
              notice: { key: `pacing:${key}`, title: 'ccguard: pacing', message: `${slowing}; slowing tool calls.` },
            }),
      }),
    );
  }
  if (windDown) return ranked(verdict('warned', windDownMessages));

  if (share >= a.token_threshold) {
    return ranked(
      verdict('warned', {
        onceKey: `warn:${key}:${i.sessionId}`,
        userMessage: `ccguard: ${fmtPct(share)} of the ${name} used (${src})${liftNote}.${resetClause}`,
        modelContext: `ccguard: ${fmtPct(share)} of the ${name} is used (${src}).${u.limitTokens !== null ? ` About ${Math.max(0, u.limitTokens - u.usedTokens)} tokens are left.` : ''}${resetClause} Keep the remaining work focused.`,
        notice: { key: `token:${key}`, title: `ccguard: ${isWeekly(u) ? 'weekly' : '5-hour'} threshold`, message: `${fmtPct(share)} of the ${name} used (${src}).${resetClause}` },
      }),
    );
  }
  // A projection never holds anything back: it is advice, and only from a measured pace.
  if (u.projectedShare !== null && u.projectedShare >= 1 && u.projectionBasis !== null && server) {
    return ranked(
      verdict('warned', {
        onceKey: `projected:${key}:${i.sessionId}`,
        userMessage: `ccguard: at the pace measured ${projectionBasisText(u.projectionBasis)}, the ${name} would be reached before its reset (${fmtPct(share)} used now, ${src}).${resetClause}`,
        modelContext: null,
        notice: null,
      }),
    );
  }
  return null;
}

/** A limit that binds one model family holds back the sessions on that family only. */
function modelHoldVerdict(i: PolicyInput, isTool: boolean, liftedScope: (s: LiftScope) => boolean): { v: Verdict; until: number } | null {
  const model = i.sessionModel?.toLowerCase() ?? null;
  if (model === null) return null;
  const hold = (i.modelHolds ?? []).find((h) => h.until > i.now && model.includes(h.family));
  if (!hold) return null;
  const lifted = liftedScope(hold.family);
  const fam = hold.family === 'opus' ? 'Opus' : 'Sonnet';
  const src = 'server:limit_line';
  const reset = resetText(hold.until, i.now);
  if (lifted || !isTool) {
    return { until: hold.until, v: verdict('warned', {
      onceKey: `model-hold:${hold.family}:${hold.until}:${i.sessionId}`,
      userMessage: `ccguard: Claude's ${fam} limit is reached (${src}: "${hold.text.slice(0, 80)}"); this session runs on ${fam}. It resets at ${reset}.${lifted ? ' (`ccguard resume` lifted the hold for now)' : ''}`,
      // One story per answer: after a lift, the model is not told that its calls are held.
      modelContext: lifted
        ? `ccguard: the ${fam} usage limit is reached until ${reset} (${src}); the user lifted ccguard's hold (ccguard resume), so tool calls go on, but Claude may refuse ${fam} requests until then. Switch model (/model) if it does.`
        : `ccguard: the ${fam} usage limit is reached until ${reset} (${src}); tool calls on ${fam} are held back. Switch model (/model) or tell the user.`,
      notice: { key: `model-hold:${hold.family}:${hold.until}`, title: `ccguard: ${fam} limit reached`, message: `${fam} sessions held until ${reset}; other models go on.` },
    }) };
  }
  return { until: hold.until, v: verdict('held', {
    action: 'deny',
    holdUntil: hold.until,
    reason: `ccguard: Claude's ${fam} limit is reached (${src}: "${hold.text.slice(0, 80)}") and this session runs on ${fam}. Wait ${fmtDuration(hold.until - i.now, 'wait')}, until ${reset}, or switch model (/model). ${liftText(i)}`,
    notice: { key: `model-hold:${hold.family}:${hold.until}`, title: `ccguard: ${fam} limit reached`, message: `${fam} sessions held until ${reset}; other models go on.` },
  }) };
}

/** Observe mode keeps the verdict's state, reason and notice but never blocks or delays. */
export function observed(v: Verdict): Verdict {
  if (v.action === 'allow') return v;
  return { ...v, action: 'allow', sleepMs: 0, startPause: null };
}

/** The verdict as applied: `evaluate`, then softened by observe mode when the config says so. */
export function verdictFor(i: PolicyInput): Verdict {
  const v = evaluate(i);
  return i.config.mode === 'observe' ? observed(v) : v;
}
