// The policy's decisions in words: every sentence the hook, `status`, `wait` and the report say about
// a decision is written here, from the kind and the figures `evaluate` picked (lib/policy/types.ts
// PolicyMessage). `render` turns a Decision into the Verdict the edges read.
import type { Decision, PolicyMessage, TimePause, UsageView, Verdict } from './types.ts';
import { isServerFigure, type UsageConfidence, type UsageWindow } from '../usage/types.ts';
import { fmtAt, fmtDuration, fmtPct, fmtUsd } from '../util/format.ts';
import { projectionBasisText, windowName } from '../usage/describe.ts';

/** What a message is said against: the clock (resets are printed with their day when not today) and how a printed command starts. */
export interface RenderAt {
  now: number;
  /**
   * How a printed command starts so that it runs as printed (ownCli); default `ccguard`. Asked only
   * when a message names the way out: finding it looks along PATH, which most answers never need.
   */
  cli?: () => string;
}

/** The texts of one message; each goes where the Verdict says (reason, user, model, notice). */
interface Words {
  reason?: string;
  user?: string;
  model?: string;
  notice?: { title: string; message: string };
}

/** The way out every hold names, written so that it runs as printed. */
const liftText = (at: RenderAt): string => `Run \`${at.cli?.() ?? 'ccguard'} resume\` to lift it.`;

/** Where a figure comes from, as every message names it. */
export function sourceText(u: Pick<UsageView, 'source' | 'confidence'>): string {
  if (isServerFigure(u.confidence)) return u.source;
  if (u.confidence === 'configured') return `${u.source}, the limit in your config`;
  return `estimate: ${u.source}`;
}

/** Why a session was paused for its run time, as the pause is recorded (and `status` prints it). */
export function timePauseReason(p: TimePause): string {
  return `this session has run ${fmtDuration(p.ranMs, 'wait')}, past the ${p.thresholdHours}h limit (alerts.time_threshold)`;
}

/** The decision as the edges read it: its action and facts, with the words of its message. */
export function render(d: Decision, at: RenderAt): Verdict {
  const w = d.message ? words(d.message, at) : {};
  return {
    action: d.action,
    sleepMs: d.sleepMs,
    state: d.state,
    reason: w.reason ?? null,
    userMessage: w.user ?? null,
    modelContext: w.model ?? null,
    onceKey: d.onceKey,
    startPause: d.startPause ? { until: d.startPause.until, reason: timePauseReason(d.startPause) } : null,
    notice: d.noticeKey !== null && w.notice ? { key: d.noticeKey, ...w.notice } : null,
    ...(d.holdUntil !== undefined ? { holdUntil: d.holdUntil } : {}),
    ...(d.window !== undefined ? { window: d.window } : {}),
  };
}

function words(m: PolicyMessage, at: RenderAt): Words {
  const { now } = at;
  switch (m.kind) {
    case 'paused':
      return { reason: pausedText(m.reason, m.until, m.waitMs, at) };
    case 'session_time_paused':
      return {
        reason: pausedText(timePauseReason(m), m.until, m.waitMs, at),
        notice: {
          title: 'ccguard: session paused',
          message: `Session ran ${fmtDuration(m.ranMs, 'wait')}; paused until ${fmtAt(m.until, now)}.`,
        },
      };
    case 'hard_cost_limit':
      return {
        reason:
          `ccguard: this 5-hour block has cost ${fmtUsd(m.costUsd)}, past the hard limit of ${fmtUsd(m.limitUsd)} (alerts.hard_cost_limit). ` +
          `Everything is denied until the block resets${m.resetAt ? ` at ${fmtAt(m.resetAt, now)}` : ''}.`,
        notice: {
          title: 'ccguard: hard cost limit',
          message: `Block cost ${fmtUsd(m.costUsd)} ≥ ${fmtUsd(m.limitUsd)}: tools denied.`,
        },
      };
    case 'backoff_sleep':
      // A sleep the user would otherwise only see as a stall: say what it is, on every such call.
      return {
        reason: `ccguard: ${backingOff(m.level, m.until, now)}`,
        ...(m.toUser
          ? {
              user: `ccguard: the API rate-limited this session (${m.level} in a row); this tool call waited ${fmtDuration(m.waitMs, 'wait')} before running.`,
            }
          : {}),
      };
    case 'backoff_hold':
      return {
        reason: `ccguard: ${backingOff(m.level, m.until, now)}, ${fmtDuration(m.waitMs, 'wait')} from now. Wait, then retry. ${liftText(at)}`,
      };
    case 'tool_off': {
      const reason = m.byHand
        ? `ccguard: ${m.tool} is off because the cost alert was fired by hand (ccguard alert cost), not because of the cost: ${spent(m)}. ` +
          `Finish the task economically with the tools you have. ${liftText(at)}`
        : `ccguard: this 5-hour block has cost ${fmtUsd(m.costUsd)}, past ${fmtUsd(m.thresholdUsd)} (alerts.cost_threshold), so ${m.tool} is off. ` +
          'Finish the task economically with the tools you have.';
      return { reason, notice: costNotice(m) };
    }
    case 'degraded': {
      const tools = m.tools.join(', ');
      return m.byHand
        ? {
            user: `ccguard: the cost alert was fired by hand (ccguard alert cost): ${tools} are off for now; ${spent(m)}. ${liftText(at)}`,
            model: `ccguard: ${tools} are unavailable for now (turned off by hand); finish the task economically.`,
            notice: costNotice(m),
          }
        : {
            user: `ccguard: block cost ${fmtUsd(m.costUsd)} passed ${fmtUsd(m.thresholdUsd)} (alerts.cost_threshold); ${tools} are off.`,
            model: `ccguard: the cost threshold for this 5-hour block is passed. ${tools} are unavailable; finish the task economically.`,
            notice: costNotice(m),
          };
    }
    case 'window_reached': {
      const f = figure(m, now);
      return {
        user: `ccguard: ${f.pct} of the ${f.name} used (${f.src})${m.lifted ? LIFT_NOTE : ''}.${f.resetClause}`,
        model:
          `ccguard: by ${isServerFigure(m.confidence) ? 'the server' : "ccguard's estimate"} the ${f.name} is reached (${f.pct}, ${f.src}).${f.resetClause} ` +
          'Bring the work to a safe stopping point.',
        notice: reachedNotice(f),
      };
    }
    case 'window_used_up_prompt': {
      // Prompts pass: the model can answer without tools and tell the user; tool calls are held.
      const f = figure(m, now);
      const until = f.reset ?? 'the reset';
      return {
        user: `ccguard: the ${f.name} is used up (${f.pct}, ${f.src}); tool calls wait until ${until}. ${liftText(at)}`,
        model:
          `ccguard: the ${f.name} is used up (${f.pct}, ${f.src}). Tool calls are held back until ${until}; ` +
          'answer briefly without tools or tell the user to wait.',
        notice: reachedNotice(f),
      };
    }
    case 'window_used_up': {
      const f = figure(m, now);
      const wait = f.reset !== null ? ` Wait ${fmtDuration(m.waitMs, 'wait')}, until ${f.reset}.` : '';
      return {
        reason: `ccguard: the ${f.name} is used up (${f.pct}, ${f.src}).${wait} ${liftText(at)}`,
        notice: reachedNotice(f),
      };
    }
    case 'pacing': {
      const f = figure(m, now);
      const slowing = `${f.pct} of the ${f.name} used (${f.src}), ahead of the pace line (${fmtPct(m.line)} by now)`;
      const reason = `ccguard: ${slowing}: slowing tool calls by ${fmtDuration(m.sleepMs, 'wait')} so the rest lasts until the reset`;
      if (m.windDown) return { reason, ...windDownWords(f) };
      return {
        reason,
        user: `ccguard: ${slowing}; slowing tool calls so it lasts until ${f.reset ?? 'the reset'}.`,
        model: `ccguard: ${f.pct} of the ${f.name} is used (${f.src}) and tool calls are being slowed. Work economically: prefer fewer, larger steps.`,
        notice: { title: 'ccguard: pacing', message: `${slowing}; slowing tool calls.` },
      };
    }
    case 'wind_down':
      return windDownWords(figure(m, now));
    case 'window_warning': {
      const f = figure(m, now);
      const left = m.tokensLeft !== null ? ` About ${m.tokensLeft} tokens are left.` : '';
      return {
        user: `ccguard: ${f.pct} of the ${f.name} used (${f.src})${m.lifted ? LIFT_NOTE : ''}.${f.resetClause}`,
        model: `ccguard: ${f.pct} of the ${f.name} is used (${f.src}).${left}${f.resetClause} Keep the remaining work focused.`,
        notice: {
          title: `ccguard: ${m.window === 'seven_day' ? 'weekly' : '5-hour'} threshold`,
          message: `${f.pct} of the ${f.name} used (${f.src}).${f.resetClause}`,
        },
      };
    }
    case 'window_projected': {
      // A projection never holds anything back: it is advice, and only from a measured pace.
      const f = figure(m, now);
      return {
        user:
          `ccguard: at the pace measured ${projectionBasisText(m.basis)}, the ${f.name} would be reached before its reset ` +
          `(${f.pct} used now, ${f.src}).${f.resetClause}`,
      };
    }
    case 'model_limit': {
      const { fam, reset, line } = modelFacts(m, now);
      return {
        user: `ccguard: Claude's ${fam} limit is reached (${line}); this session runs on ${fam}. It resets at ${reset}.${m.lifted ? LIFT_NOTE : ''}`,
        // One story per answer: after a lift, the model is not told that its calls are held.
        model: m.lifted
          ? `ccguard: the ${fam} usage limit is reached until ${reset} (${MODEL_SOURCE}); the user lifted ccguard's hold (ccguard resume), ` +
            `so tool calls go on, but Claude may refuse ${fam} requests until then. Switch model (/model) if it does.`
          : `ccguard: the ${fam} usage limit is reached until ${reset} (${MODEL_SOURCE}); tool calls on ${fam} are held back. ` +
            'Switch model (/model) or tell the user.',
        notice: modelNotice(fam, reset),
      };
    }
    case 'model_limit_held': {
      const { fam, reset, line } = modelFacts(m, now);
      return {
        reason:
          `ccguard: Claude's ${fam} limit is reached (${line}) and this session runs on ${fam}. ` +
          `Wait ${fmtDuration(m.waitMs, 'wait')}, until ${reset}, or switch model (/model). ${liftText(at)}`,
        notice: modelNotice(fam, reset),
      };
    }
  }
}

const LIFT_NOTE = ' (`ccguard resume` lifted the hold for now)';

function pausedText(reason: string, until: number, waitMs: number, at: RenderAt): string {
  return `ccguard: ${reason}. Paused until ${fmtAt(until, at.now)} (${fmtDuration(waitMs, 'wait')} from now). ${liftText(at)}`;
}

function backingOff(level: number, until: number, now: number): string {
  return `rate limited by the API (${level} in a row); backing off until ${fmtAt(until, now)}`;
}

type CostFacts = { costUsd: number; thresholdUsd: number; byHand: boolean };

const spent = (m: CostFacts): string =>
  `this 5-hour block has cost ${fmtUsd(m.costUsd)} of the ${fmtUsd(m.thresholdUsd)} threshold (alerts.cost_threshold)`;

// `ccguard alert cost` turns the degradation on whatever the cost: then the messages say that it
// was fired by hand, and never that the block's cost passed the threshold.
function costNotice(m: CostFacts): { title: string; message: string } {
  return m.byHand
    ? {
        title: 'ccguard: cost alert fired by hand',
        message: `Expensive tools are off (ccguard alert cost); ${spent(m)}.`,
      }
    : {
        title: 'ccguard: cost threshold',
        message: `Block cost ${fmtUsd(m.costUsd)} passed ${fmtUsd(m.thresholdUsd)}: expensive tools are off.`,
      };
}

/** One window's figure in the words every message about it uses. */
interface FigureWords {
  name: string;
  pct: string;
  src: string;
  /** The reset as every view prints one (fmtAt), null when none is ahead. */
  reset: string | null;
  /** " It resets at … (… from now)." or nothing. */
  resetClause: string;
}

function figure(
  m: { window: UsageWindow; share: number; source: string; confidence: UsageConfidence; resetAt: number | null },
  now: number,
): FigureWords {
  const reset = m.resetAt !== null ? fmtAt(m.resetAt, now) : null;
  return {
    name: windowName(m.window),
    pct: fmtPct(m.share),
    src: sourceText(m),
    reset,
    resetClause: m.resetAt !== null ? ` It resets at ${reset} (${fmtDuration(m.resetAt - now, 'wait')} from now).` : '',
  };
}

function reachedNotice(f: FigureWords): { title: string; message: string } {
  return { title: `ccguard: ${f.name} reached`, message: `${f.pct} of the ${f.name} used (${f.src}).${f.resetClause}` };
}

function windDownWords(f: FigureWords): Words {
  return {
    user: `ccguard: ${f.pct} of the ${f.name} used (${f.src}); the model was told to wind down.${f.resetClause}`,
    model:
      `ccguard: ${f.pct} of the ${f.name} is used (${f.src}).${f.resetClause} Bring your work to a safe stopping point now: ` +
      'finish the current step, commit or save what you have, and leave a short note of what is left, before the limit stops you mid-task.',
    notice: {
      title: 'ccguard: wind down',
      message: `${f.pct} of the ${f.name} used (${f.src}); the model was told to reach a safe stopping point.`,
    },
  };
}

/** Where a model family's limit comes from: Claude Code's limit line. */
const MODEL_SOURCE = 'server:limit_line';

function modelFacts(
  m: { family: 'opus' | 'sonnet'; until: number; limitLine: string },
  now: number,
): { fam: string; reset: string; line: string } {
  return {
    fam: m.family === 'opus' ? 'Opus' : 'Sonnet',
    reset: fmtAt(m.until, now),
    line: `${MODEL_SOURCE}: "${m.limitLine.slice(0, 80)}"`,
  };
}

function modelNotice(fam: string, reset: string): { title: string; message: string } {
  return {
    title: `ccguard: ${fam} limit reached`,
    message: `${fam} sessions held until ${reset}; other models go on.`,
  };
}
