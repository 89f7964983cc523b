import type { PolicyInput, Verdict, RecoveryState, Notice, UsageView } from './types.ts';
import { pace } from './pacing.ts';
import { clockText, pct, waitText } from './format.ts';

const HOUR = 3_600_000;

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

const LIFT = 'Run `ccguard resume` to lift it.';

/**
 * The decision for one hook call, from the usage picture and the shared recovery state. Pure: no
 * clock, no I/O. Order matters: a pause beats everything, then hard limits, then backoff, then the
 * softer measures, and a plain allow when nothing applies.
 */
export function evaluate(i: PolicyInput): Verdict {
  const c = i.config;
  const r = c.recovery;
  const gated = i.hook === 'PreToolUse' || i.hook === 'UserPromptSubmit';
  if (!gated) return verdict('normal');
  if (i.tool !== null && r.never_gate.includes(i.tool)) return verdict('normal');
  const isTool = i.hook === 'PreToolUse';
  const maxSleep = r.max_sleep_seconds * 1000;
  const u = i.usage;
  const blockKey = String(u.blockStart ?? 0);

  if (i.pause && i.pause.until > i.now) {
    const p = i.pause;
    return verdict('paused', {
      action: 'deny',
      reason: `ccguard: ${p.reason}. Paused until ${clockText(p.until)} (${waitText(p.until - i.now)} from now). ${LIFT}`,
    });
  }

  const hard = c.alerts.hard_cost_limit;
  if (hard !== null && u.costUsd >= hard) {
    return verdict('degraded', {
      action: 'deny',
      reason: `ccguard: this 5-hour block has cost $${u.costUsd.toFixed(2)}, past the hard limit of $${hard.toFixed(2)}. Everything is denied until the block resets${u.resetAt ? ` at ${clockText(u.resetAt)}` : ''}.`,
      notice: { key: `hardcost:${blockKey}`, title: 'ccguard: hard cost limit', message: `Block cost $${u.costUsd.toFixed(2)} ≥ $${hard.toFixed(2)}: tools denied.` },
    });
  }

  if (r.rate_limit === 'exponential_backoff' && i.backoff && i.backoff.until > i.now) {
    const wait = i.backoff.until - i.now;
    const why = `rate limited by the API (${i.backoff.level} in a row); backing off until ${clockText(i.backoff.until)}`;
    if (wait <= maxSleep) {
      return verdict('backoff', { action: 'delay', sleepMs: wait, reason: `ccguard: ${why}` });
    }
    return verdict('backoff', {
      action: 'deny',
      reason: `ccguard: ${why}, ${waitText(wait)} from now. Wait, then retry.`,
    });
  }

  if (r.time_limit === 'session_pause' && i.sessionClockFrom !== null) {
    const ran = i.now - i.sessionClockFrom;
    if (ran >= c.alerts.time_threshold * HOUR) {
      const until = i.now + r.pause.minutes * 60_000;
      const reason = `this session has run ${waitText(ran)}, past the ${c.alerts.time_threshold}h limit (alerts.time_threshold)`;
      return verdict('paused', {
        action: 'deny',
        startPause: { until, reason },
        reason: `ccguard: ${reason}. Paused until ${clockText(until)} (${waitText(until - i.now)} from now). ${LIFT}`,
        notice: { key: `timepause:${i.sessionId}:${Math.floor(i.now / 60_000)}`, title: 'ccguard: session paused', message: `Session ran ${waitText(ran)}; paused until ${clockText(until)}.` },
      });
    }
  }

  const degraded = (r.cost_limit === 'graceful_degradation' && u.costUsd >= c.alerts.cost_threshold) || i.forcedDegrade;
  const costNotice: Notice = {
    key: `cost:${blockKey}`,
    title: 'ccguard: cost threshold',
    message: `Block cost $${u.costUsd.toFixed(2)} passed $${c.alerts.cost_threshold.toFixed(2)}: expensive tools are off.`,
  };
  if (degraded && isTool && i.tool !== null && r.degradation.deny_tools.includes(i.tool)) {
    return verdict('degraded', {
      action: 'deny',
      reason: `ccguard: this 5-hour block has cost $${u.costUsd.toFixed(2)}, past $${c.alerts.cost_threshold.toFixed(2)} (alerts.cost_threshold), so ${i.tool} is off. Finish the task economically with the tools you have.`,
      notice: costNotice,
    });
  }

  // The token windows: the 5-hour one and, when reported, the weekly one; the tighter acts.
  const windows = u.weekly ? [u, u.weekly] : [u];
  const paced = windows
    .map((w) => pacingVerdict(i, w, isTool, maxSleep))
    .filter((x): x is Ranked => x !== null)
    .sort(tighterFirst);
  if (paced[0]) return paced[0].v;

  if (degraded) {
    return verdict('degraded', {
      onceKey: `degrade:${blockKey}:${i.sessionId}`,
      userMessage: `ccguard: block cost $${u.costUsd.toFixed(2)} passed $${c.alerts.cost_threshold.toFixed(2)}; ${r.degradation.deny_tools.join(', ')} are off.`,
      modelContext: `ccguard: the cost threshold for this 5-hour block is passed. ${r.degradation.deny_tools.join(', ')} are unavailable; finish the task economically.`,
      notice: costNotice,
    });
  }

  const warned = windows
    .map((w) => warnVerdict(i, w))
    .filter((x): x is Ranked => x !== null)
    .sort(tighterFirst);
  return warned[0]?.v ?? verdict('normal');
}

/** A window's verdict with what ranks it against the other window's. */
interface Ranked {
  v: Verdict;
  share: number;
}

const rank = (v: Verdict): number => (v.action === 'deny' ? 2 : v.action === 'delay' ? 1 : 0);

/** Deny before delay before advice; the longer sleep, then the higher share; the 5-hour window on a tie. */
function tighterFirst(a: Ranked, b: Ranked): number {
  return rank(b.v) - rank(a.v) || b.v.sleepMs - a.v.sleepMs || b.share - a.share;
}

const isWeekly = (u: UsageView): boolean => u.window === 'seven_day';
const keyOf = (u: UsageView): string => (isWeekly(u) ? `7d:${u.blockStart ?? 0}` : String(u.blockStart ?? 0));
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A reset time: the clock for the 5-hour window, with the weekday when further than a day off. */
function resetText(u: UsageView, ms: number, now: number): string {
  return isWeekly(u) && ms - now > 20 * HOUR ? `${DAYS[new Date(ms).getDay()] ?? ''} ${clockText(ms)}` : clockText(ms);
}

/**
 * Pacing for one window: past rate_limit_threshold (or projected past the limit), slow tool calls so
 * the rest lasts until the reset, or deny when nothing can. A limit that is a guess never delays or denies.
 */
function pacingVerdict(i: PolicyInput, u: UsageView, isTool: boolean, maxSleep: number): Ranked | null {
  const c = i.config;
  const share = u.share;
  if (u.confidence === 'unknown') return null;
  const pacing =
    u.limitTokens !== null &&
    share !== null &&
    (share >= c.alerts.rate_limit_threshold || (u.projectedShare !== null && u.projectedShare > 1));
  if (!pacing) return null;
  const blockKey = keyOf(u);
  const weekly = isWeekly(u);
  const full = weekly ? 'weekly limit' : '5-hour token limit';
  const short = weekly ? 'weekly limit' : '5-hour limit';
  const reset = u.resetAt ? resetText(u, u.resetAt, i.now) : null;
  const ranked = (v: Verdict): Ranked => ({ v, share });
  const p = pace(u, i.now, maxSleep);
  const notice: Notice = {
    key: `pacing:${blockKey}`,
    title: 'ccguard: pacing',
    message: `${pct(share)} of the ${short} used; slowing tool calls to last until the reset.`,
  };
  if (p.kind === 'deny' && !isTool) {
    // A prompt still goes through when the figures say the limit is used up: the local ones are an
    // estimate, and the model can tell the user; its tool calls are what gets held back.
    return ranked(
      verdict('pacing', {
        onceKey: `pacing-prompt:${blockKey}:${i.sessionId}`,
        userMessage: `ccguard: ${pct(share)} of the ${full} is used (${u.source}); tool calls wait until ${reset ?? 'the reset'}.`,
        modelContext: `ccguard: the ${full} is about used up (${pct(share)}, ${u.source}). Tool calls are being held back until ${reset ?? 'the reset'}; answer briefly without tools or tell the user to wait.`,
        notice,
      }),
    );
  }
  if (p.kind === 'deny') {
    const why =
      p.why === 'limit_reached'
        ? weekly
          ? `the weekly limit is used up (${pct(share)}, ${u.source})`
          : `the 5-hour token limit is used up (${pct(share)} of ${u.limitTokens} tokens, ${u.source})`
        : `usage is too fast to last until the ${weekly ? 'weekly ' : ''}reset (${pct(share)} of the ${weekly ? 'weekly ' : ''}limit used, ${u.source})`;
    return ranked(
      verdict('pacing', {
        action: 'deny',
        reason: `ccguard: ${why}. Wait ${waitText(p.waitMs)}${p.why === 'limit_reached' && reset ? `, until ${reset}` : ''}.`,
        notice:
          p.why === 'limit_reached'
            ? { ...notice, key: `limit:${blockKey}`, title: 'ccguard: limit reached', message: `${weekly ? 'Weekly' : '5-hour'} limit used up; resets ${reset ?? 'soon'}.` }
            : notice,
      }),
    );
  }
  if (p.kind === 'delay' && isTool) {
    return ranked(
      verdict('pacing', {
        action: p.ms > 0 ? 'delay' : 'allow',
        sleepMs: p.ms,
        reason: `ccguard: pacing at ${pct(share)} of the ${short} (${u.source}): ${Math.round(p.sustainablePerMinute)} tokens/min lasts until the reset`,
        onceKey: `pacing:${blockKey}:${i.sessionId}`,
        userMessage: `ccguard: ${pct(share)} of the ${short} used (${u.source}); slowing tool calls so it lasts until ${reset ?? 'the reset'}.`,
        modelContext: `ccguard: ${pct(share)} of the ${full} is used and tool calls are being slowed. Work economically: prefer fewer, larger steps.`,
        notice,
      }),
    );
  }
  return null;
}

/** Past token_threshold in one window: tell the user and the model once per crossing. */
function warnVerdict(i: PolicyInput, u: UsageView): Ranked | null {
  const share = u.share;
  if (share === null || share < i.config.alerts.token_threshold || u.limitTokens === null) return null;
  const blockKey = keyOf(u);
  if (isWeekly(u)) {
    const reset = u.resetAt ? ` It resets ${resetText(u, u.resetAt, i.now)} (${waitText(u.resetAt - i.now)} from now).` : '';
    return {
      share,
      v: verdict('warned', {
        onceKey: `warn:${blockKey}:${i.sessionId}`,
        userMessage: `ccguard: ${pct(share)} of the weekly limit used (${u.source}).${reset}`,
        modelContext: `ccguard: ${pct(share)} of the weekly usage limit is used.${reset} Keep the remaining work focused.`,
        notice: { key: `token:${blockKey}`, title: 'ccguard: weekly threshold', message: `${pct(share)} of the weekly limit used.${reset}` },
      }),
    };
  }
  const left = Math.max(0, u.limitTokens - u.usedTokens);
  const reset = u.resetAt ? ` The block resets at ${clockText(u.resetAt)} (${waitText(u.resetAt - i.now)} from now).` : '';
  return {
    share,
    v: verdict('warned', {
      onceKey: `warn:${blockKey}:${i.sessionId}`,
      userMessage: `ccguard: ${pct(share)} of the 5-hour token limit used (${u.source}).${reset}`,
      modelContext: `ccguard: ${pct(share)} of the 5-hour token limit is used; about ${left} tokens are left.${reset} Keep the remaining work focused.`,
      notice: { key: `token:${blockKey}`, title: 'ccguard: token threshold', message: `${pct(share)} of the 5-hour limit used.${reset}` },
    }),
  };
}

/** Observe mode keeps the verdict's state, reason and notice but never blocks or delays. */
export function observed(v: Verdict): Verdict {
  if (v.action === 'allow') return v;
  return { ...v, action: 'allow', sleepMs: 0, startPause: null };
}
