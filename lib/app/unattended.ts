// Unattended sessions that wait: deferred by ccguard (lib/policy/unattended.ts) or stopped by the
// usage limit itself. Each is one event row (decision `defer` or `limit_stop`, its folder and hold
// end in the detail JSON), so no table of their own: `status`, `events` and the report read them.
import type { Store } from '../store/store.ts';
import type { Config } from '../config/schema.ts';
import { whatIsInForce, type InForce } from './recoveryNow.ts';
import { lastResumeAt } from './recovery.ts';
import { DAY_MS, iso } from '../util/time.ts';
import { shellWord } from '../util/invocation.ts';

/** How far back a session's limit line may be for its SessionEnd to count as a stop on it. */
const LIMIT_STOP_MS = 6 * 60 * 60_000;

/**
 * An unattended run that ended on Claude Code's own limit (the server rejected a request): recorded
 * so that `ccguard run` resumes it and `status` lists it with the command that does. Claude Code
 * 2.1.330 runs no StopFailure hook in `claude -p` when that happens, only SessionEnd: so a SessionEnd
 * whose session's last word was a limit line (none of its responses came after it) is one too, as is
 * a StopFailure `rate_limit`. Called after the hook's catch-up has read the limit line.
 */
export function recordLimitStop(
  store: Store,
  config: Config,
  account: string,
  event: 'StopFailure' | 'SessionEnd',
  input: { session_id: string; cwd?: string | undefined; error?: string | undefined },
  now: number,
  runId: string | null,
): void {
  let until: number | null = null;
  if (event === 'StopFailure') {
    if (input.error !== 'rate_limit') return;
  } else {
    const line = store.limitMessages
      .since(now - LIMIT_STOP_MS)
      .filter((m) => m.session_id === input.session_id)
      .pop();
    if (!line) return;
    const lastResponse = store.entries.session(input.session_id)?.last_ts ?? null;
    if (lastResponse !== null && lastResponse > line.ts) return;
    until = line.reset_at;
  }
  const f = whatIsInForce(store, config, account, now);
  until ??= f.until;
  store.write(() => {
    store.events.insert({
      ts: now,
      session_id: input.session_id,
      hook: event,
      decision: 'limit_stop',
      state: f.state,
      reason: `stopped on the usage limit${until !== null ? ` until ${iso(until)}` : ''}${f.reason ? ` (${f.reason})` : ''}`,
      detail: JSON.stringify({ cwd: input.cwd ?? null, hold_until: until, ...(runId ? { run: runId } : {}) }),
    });
  });
}

/** One unattended session that waits, as `status` lists it. */
export interface WaitingSession {
  session_id: string;
  /** `deferred`: ccguard deferred a tool call; `limit`: the run stopped on the usage limit. */
  kind: 'deferred' | 'limit';
  since: string;
  folder: string | null;
  tool: string | null;
  tool_use_id: string | null;
  reason: string | null;
  /** When the hold ends (null: not known, or lifted only by hand). */
  hold_until: string | null;
  /** Pasted into a shell in `folder` (or anywhere: it finds the folder), resumes the session. */
  resume_command: string;
}

/** How long a waiting session stays listed. */
const LISTED_MS = 7 * DAY_MS;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** An event's detail JSON; an unreadable one is empty (the event still counts). */
function detailOf(e: { detail: string | null }): Record<string, unknown> {
  try {
    const d = JSON.parse(e.detail ?? '{}') as unknown;
    return typeof d === 'object' && d !== null ? (d as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The unattended sessions that wait, newest first. `cli` is the words that start ccguard as install
 * prints them (lib/settings/invocation.ts cliPrefix), given by the command that shows the list.
 */
export function waitingSessions(store: Store, account: string | null, now: number, cli: string): WaitingSession[] {
  // One account's (a session whose account is not known yet is listed with every account's).
  const mine = (sid: string | null): boolean => {
    if (account === null || !sid) return true;
    const owner = store.sessions.get(sid)?.account;
    return owner === undefined || owner === account;
  };
  return store.events
    .waiting(now - LISTED_MS)
    .filter((e) => mine(e.session_id))
    .map((e) => {
      const d = detailOf(e);
      const until = typeof d.hold_until === 'number' ? d.hold_until : null;
      const sid = e.session_id ?? '';
      return {
        session_id: sid,
        kind: e.decision === 'defer' ? 'deferred' : 'limit',
        since: iso(e.ts),
        folder: str(d.cwd),
        tool: e.tool,
        tool_use_id: str(d.tool_use_id),
        reason: e.reason,
        hold_until: until === null ? null : iso(until),
        resume_command: resumeCommand(cli, sid),
      };
    });
}

/** Where an unattended run stopped: what `ccguard run` resumes. */
export interface Stop {
  /** When it was recorded (0: not known). */
  at: number;
  sessionId: string;
  kind: 'deferred' | 'limit';
  folder: string | null;
  holdUntil: number | null;
  reason: string | null;
}

/**
 * How the job run as `runId` in `folder` stopped since `sinceMs`, if it stopped waiting: the newest
 * deferral or limit stop its hooks recorded under its run id; else (hooks from an older install, a
 * StopFailure that never came) a limit line written since then in a transcript of that folder.
 */
export function stopOf(store: Store, runId: string, folder: string, sinceMs: number): Stop | null {
  const rows = store.events.stopsSince(sinceMs);
  for (const e of rows.reverse()) {
    const d = detailOf(e);
    if (d.run !== runId || !e.session_id) continue;
    return {
      at: e.ts,
      sessionId: e.session_id,
      kind: e.decision === 'defer' ? 'deferred' : 'limit',
      folder: str(d.cwd),
      holdUntil: typeof d.hold_until === 'number' ? d.hold_until : null,
      reason: e.reason,
    };
  }
  // Claude Code names a project's transcript folder after its path, every other character a dash.
  const dir = folder.replace(/[^A-Za-z0-9]/g, '-');
  const line = store.limitMessages
    .since(sinceMs)
    .filter((m) => m.project === dir)
    .pop();
  return line
    ? { at: line.ts, sessionId: line.session_id, kind: 'limit', folder, holdUntil: line.reset_at, reason: line.text }
    : null;
}

/**
 * What a stopped job waits for at `now`: what is in force (as `ccguard wait` sees it), and the stop's
 * own hold on top, until `pastMs` after its end: after a limit stop always (never a request before
 * the server's reset), after a deferral unless `ccguard resume` has lifted the holds since.
 */
export function stopHold(
  store: Store,
  config: Config,
  account: string,
  stop: Stop,
  now: number,
  pastMs: number,
): InForce {
  const f = whatIsInForce(store, config, account, now);
  const end = stop.holdUntil === null ? null : stop.holdUntil + pastMs;
  const lifted = stop.kind === 'deferred' && lastResumeAt(store, account) > stop.at;
  if (f.inForce || end === null || lifted || now >= end) return f;
  return { inForce: true, state: 'held', until: end, reason: stop.reason };
}

/** The newest waiting entry of one session: `ccguard run --resume` starts from it. */
export function waitingEntry(store: Store, sessionId: string): Stop | null {
  const e = store.events
    .list({ sessionId, decisionsOnly: true, limit: 200 })
    .filter((x) => x.decision === 'defer' || x.decision === 'limit_stop')
    .pop();
  if (!e) return null;
  const d = detailOf(e);
  return {
    at: e.ts,
    sessionId,
    kind: e.decision === 'defer' ? 'deferred' : 'limit',
    folder: str(d.cwd),
    holdUntil: typeof d.hold_until === 'number' ? d.hold_until : null,
    reason: e.reason,
  };
}

/** The command that resumes one waiting session: `ccguard run` finds its folder and waits out the hold. */
export function resumeCommand(cli: string, sessionId: string): string {
  return `${cli} run --resume ${shellWord(sessionId)}`;
}
