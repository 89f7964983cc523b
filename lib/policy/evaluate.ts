import type { PolicyInput, Verdict, RecoveryState, Notice } from './types.ts';
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

  const share = u.share;
  const pacing =
    u.limitTokens !== null &&
    share !== null &&
    (share >= c.alerts.rate_limit_threshold || (u.projectedShare !== null && u.projectedShare > 1));
  if (pacing) {
    const p = pace(u, i.now, maxSleep);
    const notice: Notice = {
      key: `pacing:${blockKey}`,
      title: 'ccguard: pacing',
      message: `${pct(share)} of the 5-hour limit used; slowing tool calls to last until the reset.`,
    };
    if (p.kind === 'deny' && !isTool) {
      // A prompt still goes through when the local figures say the limit is used up: they are an
      // estimate, and the model can tell the user; its tool calls are what gets held back.
      return verdict('pacing', {
        onceKey: `pacing-prompt:${blockKey}:${i.sessionId}`,
        userMessage: `ccguard: ${pct(share)} of the 5-hour token limit is used (${u.source}); tool calls wait until ${u.resetAt ? clockText(u.resetAt) : 'the reset'}.`,
        modelContext: `ccguard: the 5-hour token limit is about used up (${pct(share)}, ${u.source}). Tool calls are being held back until ${u.resetAt ? clockText(u.resetAt) : 'the reset'}; answer briefly without tools or tell the user to wait.`,
        notice,
      });
    }
    if (p.kind === 'deny') {
      const why =
        p.why === 'limit_reached'
          ? `the 5-hour token limit is used up (${pct(share)} of ${u.limitTokens} tokens, ${u.source})`
          : `usage is too fast to last until the reset (${pct(share)} of the limit used, ${u.source})`;
      return verdict('pacing', {
        action: 'deny',
        reason: `ccguard: ${why}. Wait ${waitText(p.waitMs)}${p.why === 'limit_reached' && u.resetAt ? `, until ${clockText(u.resetAt)}` : ''}.`,
        notice: p.why === 'limit_reached' ? { ...notice, key: `limit:${blockKey}`, title: 'ccguard: limit reached', message: `5-hour limit used up; resets ${u.resetAt ? clockText(u.resetAt) : 'soon'}.` } : notice,
      });
    }
    if (p.kind === 'delay' && isTool) {
      return verdict('pacing', {
        action: p.ms > 0 ? 'delay' : 'allow',
        sleepMs: p.ms,
        reason: `ccguard: pacing at ${pct(share)} of the 5-hour limit (${u.source}): ${Math.round(p.sustainablePerMinute)} tokens/min lasts until the reset`,
        onceKey: `pacing:${blockKey}:${i.sessionId}`,
        userMessage: `ccguard: ${pct(share)} of the 5-hour limit used (${u.source}); slowing tool calls so it lasts until ${u.resetAt ? clockText(u.resetAt) : 'the reset'}.`,
        modelContext: `ccguard: ${pct(share)} of the 5-hour token limit is used and tool calls are being slowed. Work economically: prefer fewer, larger steps.`,
        notice,
      });
    }
  }

  if (degraded) {
    return verdict('degraded', {
      onceKey: `degrade:${blockKey}:${i.sessionId}`,
      userMessage: `ccguard: block cost $${u.costUsd.toFixed(2)} passed $${c.alerts.cost_threshold.toFixed(2)}; ${r.degradation.deny_tools.join(', ')} are off.`,
      modelContext: `ccguard: the cost threshold for this 5-hour block is passed. ${r.degradation.deny_tools.join(', ')} are unavailable; finish the task economically.`,
      notice: costNotice,
    });
  }

  if (share !== null && share >= c.alerts.token_threshold && u.limitTokens !== null) {
    const left = Math.max(0, u.limitTokens - u.usedTokens);
    const reset = u.resetAt ? ` The block resets at ${clockText(u.resetAt)} (${waitText(u.resetAt - i.now)} from now).` : '';
    return verdict('warned', {
      onceKey: `warn:${blockKey}:${i.sessionId}`,
      userMessage: `ccguard: ${pct(share)} of the 5-hour token limit used (${u.source}).${reset}`,
      modelContext: `ccguard: ${pct(share)} of the 5-hour token limit is used; about ${left} tokens are left.${reset} Keep the remaining work focused.`,
      notice: { key: `token:${blockKey}`, title: 'ccguard: token threshold', message: `${pct(share)} of the 5-hour limit used.${reset}` },
    });
  }
  return verdict('normal');
}

/** Observe mode keeps the verdict's state, reason and notice but never blocks or delays. */
export function observed(v: Verdict): Verdict {
  if (v.action === 'allow') return v;
  return { ...v, action: 'allow', sleepMs: 0, startPause: null };
}
