/**
 * `ccguard wait [--json]`: while a pause, a backoff or a used-up limit is in force, count down to its
 * end, re-reading the state database every few seconds (a `ccguard resume` elsewhere ends the wait
 * early), then exit 0. Exits 0 at once when nothing is in force; Ctrl-C exits 130.
 *
 * The loop takes its clock, its sleep and its check as arguments, so tests drive it without waiting.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { catchUp, type AppContext } from '../../app/context.ts';
import { parseCommand } from '../args.ts';
import { SPECS } from '../spec.ts';
import { accountsFor } from '../../app/accounts.ts';
import type { Out } from '../format.ts';
import type { RecoveryState } from '../../policy/types.ts';
import { whatIsInForce, type InForce } from '../../app/recoveryNow.ts';
import { fmtAt, fmtDuration } from '../../util/format.ts';
import { truncate } from '../width.ts';
import { iso, parseInstant } from '../../util/time.ts';

export interface WaitCheck {
  in_force: boolean;
  state: RecoveryState;
  until: string | null;
  reason: string | null;
}

/** What is in force, in the shape `ccguard wait --json` prints. */
export function waitCheck(f: InForce): WaitCheck {
  return { in_force: f.inForce, state: f.state, until: f.until === null ? null : iso(f.until), reason: f.reason };
}

export interface WaitIo {
  now(): number;
  /** Resolves after `ms`, or early once `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  check(now: number): WaitCheck | Promise<WaitCheck>;
  signal: AbortSignal;
  out: Pick<Out, 'write'>;
  err: Pick<Out, 'write' | 'isTTY'>;
  json: boolean;
  /** Terminal width for the countdown line. */
  columns?: number;
  /** How often the database is read again. */
  checkEveryMs?: number;
  /** How often a plain progress line is written when stderr is not a terminal. */
  plainEveryMs?: number;
}

export interface WaitResult {
  code: number;
  ended: 'nothing' | 'expired' | 'lifted' | 'interrupted';
  waitedMs: number;
}

/** The reason without the prefix, the closing advice and a relative time that would go stale on screen. */
export function shortReason(reason: string | null): string | null {
  if (!reason) return null;
  const first = reason.replace(/^ccguard: /, '').split(/\.\s/)[0] ?? '';
  return (
    first
      .replace(/,\s*[^,]*from now$/, '')
      .replace(/\.$/, '')
      .trim() || null
  );
}

const WHAT: Record<string, string> = {
  paused: 'the pause',
  backoff: 'the backoff',
  pacing: 'the 5-hour limit',
  degraded: 'the hard cost limit',
};
const what = (state: string): string => WHAT[state] ?? state;

function progressLine(s: WaitCheck, now: number): string {
  const until = parseInstant(s.until);
  const left =
    until === null ? 'until it is lifted' : `${fmtDuration(until - now, 'countdown')} left, until ${fmtAt(until, now)}`;
  const why = shortReason(s.reason);
  return `ccguard: ${s.state} · ${left}${why ? ` · ${why}` : ''}`;
}

const jsonLine = (s: WaitCheck, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ in_force: s.in_force, state: s.state, until: s.until, reason: s.reason, ...extra }) + '\n';

export async function waitLoop(io: WaitIo): Promise<WaitResult> {
  const checkEvery = io.checkEveryMs ?? 2000;
  const plainEvery = io.plainEveryMs ?? 30_000;
  const tty = io.err.isTTY;
  const t0 = io.now();
  let s = await io.check(t0);
  if (io.json) io.out.write(jsonLine(s));
  if (!s.in_force) {
    if (!io.json) io.out.write(`ccguard: nothing in force (${s.state}); go ahead.\n`);
    return { code: 0, ended: 'nothing', waitedMs: 0 };
  }
  let last = s;
  let lastCheck = t0;
  let lastPlain = Number.NEGATIVE_INFINITY;
  let ended: WaitResult['ended'];
  let now: number;
  const width = Math.max(20, (io.columns || 80) - 1);
  for (;;) {
    now = io.now();
    if (io.signal.aborted) {
      ended = 'interrupted';
      break;
    }
    const untilMs = parseInstant(s.until);
    if (now - lastCheck >= checkEvery || (untilMs !== null && now >= untilMs)) {
      s = await io.check(now);
      lastCheck = now;
      if (!s.in_force) {
        ended = untilMs !== null && now >= untilMs - 1000 ? 'expired' : 'lifted';
        break;
      }
      last = s;
    }
    const line = progressLine(s, now);
    if (tty) io.err.write(`\r\x1b[2K${truncate(line, width)}`);
    else if (now - lastPlain >= plainEvery) {
      io.err.write(line + '\n');
      lastPlain = now;
    }
    const next = s.until === null ? Infinity : Date.parse(s.until) - now;
    const step = Math.max(20, Math.min(tty ? 1000 - (now % 1000) : checkEvery, lastCheck + checkEvery - now, next));
    await io.sleep(step, io.signal);
  }
  if (tty) io.err.write('\r\x1b[2K');
  const waitedMs = now - t0;
  if (ended === 'interrupted') {
    if (io.json) io.out.write(jsonLine(last, { ended, waited_ms: waitedMs }));
    else
      io.err.write(
        `ccguard: stopped waiting; still ${last.state}${last.until ? ` until ${fmtAt(Date.parse(last.until), now)}` : ''}.\n`,
      );
    return { code: 130, ended, waitedMs };
  }
  if (io.json) io.out.write(jsonLine({ ...s, until: last.until }, { ended, waited_ms: waitedMs }));
  else io.out.write(`ccguard: ${what(last.state)} ${ended === 'lifted' ? 'was lifted' : 'is over'}; go ahead.\n`);
  return { code: 0, ended, waitedMs };
}

/** The real sleep: a timer that an abort cuts short. */
export async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleepFor(ms, undefined, { signal });
  } catch {
    // aborted: the loop sees signal.aborted
  }
}

export async function runWait(app: AppContext, argv: string[], out: Out, err: Out): Promise<number> {
  const { values } = parseCommand(SPECS.wait, argv);
  const ac = new AbortController();
  const onInt = (): void => ac.abort();
  process.once('SIGINT', onInt);
  try {
    await catchUp(app);
    // With `--account all`, it waits while any account has something in force.
    const accounts = accountsFor(app.store, app.env, values.account, app.now());
    const inForce = (now: number): InForce => {
      let first: InForce | null = null;
      for (const a of accounts) {
        const f = whatIsInForce(app.store, app.config, a, now);
        if (f.inForce) return f;
        first ??= f;
      }
      return first ?? whatIsInForce(app.store, app.config, app.account, now);
    };
    const r = await waitLoop({
      now: app.now,
      sleep: abortableSleep,
      check: (now) => waitCheck(inForce(now)),
      signal: ac.signal,
      out,
      err,
      json: Boolean(values.json),
      columns: Number.isFinite(err.columns) ? err.columns : undefined,
    });
    return r.code;
  } finally {
    process.removeListener('SIGINT', onInt);
  }
}
