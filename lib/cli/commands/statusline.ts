import { openApp, type AppContext } from '../../app/context.ts';
import { parseCommand } from '../args.ts';
import { SPECS } from '../spec.ts';
import type { Out } from '../format.ts';
import { readStdinBounded } from '../../hook/stdin.ts';
import { parseStatusLineInput, type LimitWindow, type StatusLineInput } from '../../statusline/input.ts';
import { formatStatusLine, type WindowFact } from '../../statusline/line.ts';
import { runChained, type ChainResult } from '../../statusline/chain.ts';
import type { RateLimitsTable, RateLimitWindow } from '../../store/rateLimits.ts';
import { parseInstant, startOfLocalDay } from '../../util/time.ts';
import { recoveryJson } from '../../app/recoveryNow.ts';
import { usageStory } from '../../app/story.ts';
import type { UsageView } from '../../usage/types.ts';
import { oneLine } from '../../util/errors.ts';
import { NoSqliteError } from '../../store/driver.ts';
import type { Env } from '../../util/paths.ts';

/** How long the user's own status line command may take (Claude Code itself gives up at 5 s). */
export const CHAIN_TIMEOUT_MS = 3000;

/** Stores the rate limits the input carries, as the account's (the status line runs in its session's environment). */
export function recordRateLimits(rl: RateLimitsTable, account: string, input: StatusLineInput, now: number): number {
  let n = 0;
  const put = (window: RateLimitWindow, w: LimitWindow | null): void => {
    // A window whose reset has passed says nothing about now (Claude Code itself drops it).
    if (!w || (w.resetsAt !== null && w.resetsAt <= now)) return;
    rl.record({
      window,
      used_pct: w.usedPercentage,
      resets_at: w.resetsAt,
      session_id: input.sessionId,
      seen: now,
      account,
    });
    n++;
  };
  put('five_hour', input.fiveHour);
  put('seven_day', input.sevenDay);
  return n;
}

/** Records the input's readings; a new one voids the hooks' cached decisions as it commits. */
function recordAndInvalidate(app: AppContext, rl: RateLimitsTable, input: StatusLineInput, now: number): void {
  app.store.write(() => recordRateLimits(rl, app.account, input, now));
}

/** A stored reading of a window that is past limits.server_fresh_seconds: shown with its time, never as the current figure. */
function staleFact(
  rl: RateLimitsTable,
  account: string,
  window: RateLimitWindow,
  now: number,
  freshMs: number,
): WindowFact | null {
  const last = rl.latest(account, window);
  if (!last || last.resets_at === null || last.resets_at <= now || now - last.last_seen <= freshMs) return null;
  return { pct: last.used_pct, resetsAt: last.resets_at, source: 'stale', seenAt: last.last_seen };
}

/**
 * A window as the line shows it: the figure the hooks decide on (the usage picture, with this
 * input's readings recorded first), marked as this input's, an earlier fresh one, or an estimate.
 */
function viewFact(u: UsageView | null, fromInput: boolean, showReset: boolean): WindowFact | null {
  if (!u || u.share === null) return null;
  const server = u.source.startsWith('server:');
  if (!server && u.blockStart === null && u.window === 'five_hour') return null;
  return {
    pct: u.share * 100,
    resetsAt: showReset ? u.resetAt : null,
    source: server ? (fromInput ? 'server' : 'stored') : 'local',
  };
}

/** Records what the input reports and returns ccguard's one-line summary. */
export function statusLineText(app: AppContext, input: StatusLineInput, record = true): string {
  const now = app.now();
  const rl = app.store.rateLimits;
  if (record) recordAndInvalidate(app, rl, input, now);
  const freshMs = app.config.limits.server_fresh_seconds * 1000;
  // The same figures, hold and window the hooks and `status` read (lib/app/story.ts).
  const story = usageStory(app.store, app.config, app.account, now, { env: app.env });
  const u = story.picture.view;
  const weekly = u.weekly ?? null;
  const fromInput = (w: LimitWindow | null, v: UsageView | null): boolean =>
    w !== null && v !== null && v.source.startsWith('server:') && !v.source.includes('limit_line');
  const fiveHour = u.source.startsWith('server:')
    ? viewFact(u, fromInput(input.fiveHour, u), true)
    : (staleFact(rl, app.account, 'five_hour', now, freshMs) ?? viewFact(u, false, true));
  // The weekly part names its reset when it is the window that holds or slows, as the hook's message does.
  const sevenDay =
    weekly && weekly.source.startsWith('server:')
      ? viewFact(weekly, fromInput(input.sevenDay, weekly), story.recovery.window === 'seven_day')
      : staleFact(rl, app.account, 'seven_day', now, freshMs);
  const rec = recoveryJson(story.recovery);
  return formatStatusLine({
    now,
    fiveHour,
    sevenDay,
    todayCostUsd: app.store.entries.totals(startOfLocalDay(now), now + 1).cost_usd,
    recovery: { state: rec.state, until: parseInstant(rec.until) },
    configError: app.loaded.problem !== undefined,
    observe: app.config.mode === 'observe',
  });
}

/**
 * `ccguard statusline [--then COMMAND]`: Claude Code's status line. Reads the status line JSON on
 * stdin, records the rate limits it carries, and prints one compact line. With `--then` (written by
 * `install` when the user already had a status line), ccguard records first and then
 * prints the user's own command's output unchanged, instead of its own line. It opens the state
 * itself (main does not) so that a broken config or database never takes the user's status line
 * away: whatever fails, the chained command still runs. Always exits 0.
 */
export async function runStatusline(env: Env, argv: string[], out: Out, err: Out): Promise<number> {
  let values: { then?: string | undefined };
  try {
    values = parseCommand(SPECS.statusline, argv).values;
  } catch (e) {
    err.write(`ccguard statusline: ${oneLine(e)}\n`);
    return 2;
  }
  const text = process.stdin.isTTY ? '' : readStdinBounded().text;
  const then = values.then;
  // The user's command starts first and runs while ccguard records.
  const chained: Promise<ChainResult> | null =
    then !== undefined && then.trim() !== '' ? runChained(then, text, CHAIN_TIMEOUT_MS) : null;
  let line = '';
  let app: AppContext | undefined;
  let input: StatusLineInput | undefined;
  try {
    app = await openApp(env);
    input = parseStatusLineInput(text);
    // Chained, only the recording matters while the user's command answers: its output is shown.
    if (chained) recordAndInvalidate(app, app.store.rateLimits, input, app.now());
    else line = statusLineText(app, input);
  } catch (e) {
    // The one line the user sees says what is wrong when it is the Node: no SQLite to open the state with.
    line =
      e instanceof NoSqliteError
        ? 'ccguard: no SQLite in this Node, not enforcing: see ccguard doctor'
        : 'ccguard: status unavailable';
    err.write(`ccguard statusline: ${oneLine(e)}\n`);
  }
  try {
    if (chained) {
      const r = await chained;
      if (r.stdout.length > 0) process.stdout.write(r.stdout);
      if (r.stderr.length > 0) process.stderr.write(r.stderr);
      if (r.timedOut)
        err.write(
          `ccguard statusline: your status line command took over ${CHAIN_TIMEOUT_MS / 1000} s and was stopped\n`,
        );
      else if (r.error) err.write(`ccguard statusline: cannot run your status line command: ${r.error}\n`);
      // A user command that printed nothing (too slow, or failed) leaves ccguard's own part, not a blank.
      if (r.stdout.toString().trim().length === 0) {
        if (app && input && line === '') {
          try {
            line = statusLineText(app, input, false);
          } catch (e) {
            line = 'ccguard: status unavailable';
            err.write(`ccguard statusline: ${oneLine(e)}\n`);
          }
        }
        out.write(line + '\n');
      }
      return 0;
    }
    out.write(line + '\n');
    return 0;
  } finally {
    app?.store.close();
  }
}
