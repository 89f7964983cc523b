// The holds the usage figures put on tool calls right now, named the way the user reads them: what
// `ccguard resume` lifts, what `ccguard wait` waits for and what `status` lists.
import type { Config } from '../config/schema.ts';
import { mayEnforce, WINDOW_MS, type ModelHold, type UsageView } from '../usage/types.ts';
import { pace } from '../policy/pacing.ts';
import { fmtPct } from '../util/format.ts';
import type { LiftScope } from '../policy/types.ts';

export interface UsageHold {
  kind: 'limit' | 'pacing' | 'model';
  /** In words, as a thing that can be lifted: "the hold on the used-up 5-hour limit (100%, server:limit_line:five_hour)". */
  what: string;
  /** When it ends by itself (the window's reset); null when the source named none. */
  until: number | null;
  /** What `ccguard resume` lifts to lift it: its window, or its model family. */
  scope: LiftScope;
}

/** The holds in force at `now`, tightest first; the lift (`ccguard resume`) is not applied here. */
export function usageHolds(
  view: UsageView,
  modelHolds: readonly ModelHold[],
  config: Config,
  now: number,
): UsageHold[] {
  const out: UsageHold[] = [];
  for (const u of view.weekly ? [view, view.weekly] : [view]) {
    if (u.share === null || !mayEnforce(u.confidence)) continue;
    const name = u.window === 'seven_day' ? 'weekly limit' : '5-hour limit';
    const p = pace(u.share, u.resetAt, WINDOW_MS[u.window], now);
    if (p.kind === 'used_up')
      out.push({
        kind: 'limit',
        what: `the hold on the used-up ${name} (${fmtPct(u.share)}, ${u.source})`,
        until: u.resetAt,
        scope: u.window,
      });
    else if (p.kind === 'ahead' && u.share >= config.alerts.rate_limit_threshold) {
      out.push({
        kind: 'pacing',
        what: `the slowing of tool calls at ${fmtPct(u.share)} of the ${name} (${u.source}), ahead of the pace line`,
        until: u.resetAt,
        scope: u.window,
      });
    }
  }
  for (const h of modelHolds) {
    if (h.until > now)
      out.push({
        kind: 'model',
        what: `the hold on ${h.family === 'opus' ? 'Opus' : 'Sonnet'} sessions (Claude's ${h.family === 'opus' ? 'Opus' : 'Sonnet'} limit, server:limit_line)`,
        until: h.until,
        scope: h.family,
      });
  }
  const order = { limit: 0, model: 1, pacing: 2 } as const;
  return out.sort((a, b) => order[a.kind] - order[b.kind]);
}
