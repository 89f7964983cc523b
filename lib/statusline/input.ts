// The status line runs on every update of Claude Code's screen, so, like the hooks, it keeps zod out
// (ARCHITECTURE.md, "zod, and the inputs checked by hand"). The handful of fields it reads are checked
// by hand below, each on its own and leniently, which is what a schema with `.catch(undefined)` on
// every field would do.
import { isObj } from '../util/guards.ts';

/**
 * What ccguard reads from the JSON Claude Code pipes to the status line command. Every field may
 * be missing or of an unexpected type (`rate_limits` is absent for API-key users and before the
 * first response); a bad field is dropped on its own rather than failing the whole input.
 */
export interface LimitWindow {
  /** Claude's own utilization, in percent (a float that can pass 100). */
  usedPercentage: number;
  /** ms since the epoch (the input gives Unix seconds). */
  resetsAt: number | null;
}

export interface StatusLineInput {
  sessionId: string | null;
  model: string | null;
  sessionCostUsd: number | null;
  fiveHour: LimitWindow | null;
  sevenDay: LimitWindow | null;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (isObj(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Before this no reset time is real (`resets_at: 1` is 1970): such a value is dropped, not believed. */
const EARLIEST_RESET_MS = Date.UTC(2024, 0, 1);

/** Unix seconds as documented; a numeric string is accepted, and a value already in ms kept as such. */
function resetTime(v: unknown): number | null {
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : finite(v);
  if (n === null || n <= 0) return null;
  const ms = n > 1e12 ? Math.round(n) : Math.round(n * 1000);
  return ms >= EARLIEST_RESET_MS ? ms : null;
}

function limitWindow(v: unknown): LimitWindow | null {
  const w = obj(v);
  const used = w ? finite(w.used_percentage) : null;
  if (!w || used === null || used < 0) return null;
  return { usedPercentage: used, resetsAt: resetTime(w.resets_at) };
}

/** Whatever can be read from the status line's stdin; text that is not a JSON object reads as empty. */
export function parseStatusLineInput(text: string): StatusLineInput {
  let raw: unknown = null;
  if (text.trim().length > 0) {
    try {
      raw = JSON.parse(text);
    } catch {
      raw = null;
    }
  }
  const d = obj(raw) ?? {};
  const model = obj(d.model);
  const cost = obj(d.cost);
  const rl = obj(d.rate_limits);
  return {
    sessionId: str(d.session_id),
    model: model ? (str(model.display_name) ?? str(model.id)) : null,
    sessionCostUsd: cost ? finite(cost.total_cost_usd) : null,
    fiveHour: rl ? limitWindow(rl.five_hour) : null,
    sevenDay: rl ? limitWindow(rl.seven_day) : null,
  };
}
