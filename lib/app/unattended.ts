// Unattended sessions that wait: deferred by ccguard (lib/policy/unattended.ts) or stopped by the
// usage limit itself. Each is one event row (decision `defer` or `limit_stop`, its folder and hold
// end in the detail JSON), so no table of their own: `status`, `events` and the report read them.
import type { Store } from '../store/store.ts';
import type { Config } from '../config/schema.ts';
import { whatIsInForce } from './recoveryNow.ts';
import { DAY_MS, iso } from '../util/time.ts';

/**
 * An unattended run that ended on Claude Code's own limit (StopFailure `rate_limit`: the server
 * rejected a request): recorded so that it is listed with the command that resumes it. Called after
 * the hook's catch-up has read the limit line, so the hold it put in force names the reset.
 */
export function recordLimitStop(store: Store, config: Config, input: { session_id: string; cwd?: string | undefined; error?: string | undefined }, now: number): void {
  if (input.error !== 'rate_limit') return;
  const f = whatIsInForce(store, config, now);
  store.write(() => {
    store.events.insert({
      ts: now,
      session_id: input.session_id,
      hook: 'StopFailure',
      decision: 'limit_stop',
      state: f.state,
      reason: `stopped on the usage limit${f.until !== null ? ` until ${iso(f.until)}` : ''}${f.reason ? ` (${f.reason})` : ''}`,
      detail: JSON.stringify({ cwd: input.cwd ?? null, hold_until: f.until }),
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

/**
 * The unattended sessions that wait, newest first. `cli` is the words that start ccguard as install
 * prints them (lib/settings/invocation.ts cliPrefix), given by the command that shows the list.
 */
export function waitingSessions(store: Store, now: number, cli: string): WaitingSession[] {
  return store.events.waiting(now - LISTED_MS).map((e) => {
    let d: Record<string, unknown> = {};
    try {
      d = (JSON.parse(e.detail ?? '{}') ?? {}) as Record<string, unknown>;
    } catch {
      // an unreadable detail: the session is still listed
    }
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

/** The command that resumes one waiting session: `ccguard run` finds its folder and waits out the hold. */
export function resumeCommand(cli: string, sessionId: string): string {
  // Session ids are UUIDs; anything else is quoted as one shell word.
  const word = /^[A-Za-z0-9_.-]+$/.test(sessionId) ? sessionId : `'${sessionId.replace(/'/g, `'\\''`)}'`;
  return `${cli} run --resume ${word}`;
}
