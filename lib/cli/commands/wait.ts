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
import type { Out } from '../format.ts';
import type { Store } from '../../store/store.ts';
import type { Config } from '../../config/schema.ts';
import type { RecoveryState } from '../../policy/types.ts';
import { recoveryStatus } from '../../app/recoveryStatus.ts';
import { usagePicture } from '../../usage/sources.ts';
import { usageHolds } from '../../app/holds.ts';
import { liftedUntil } from '../../app/recovery.ts';
import { clockText } from '../../policy/format.ts';
import { truncate } from '../width.ts';

export interface WaitCheck {
  in_force: boolean;
  state: RecoveryState;
  until: string | null;
  reason: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * What a fresh tool call would be held back for right now: a pause (global or a session's), the
 * rate-limit backoff, the hard cost limit, or a hold the server's figures put on it (a used-up
 * window, pacing, a model-family limit) unless `ccguard resume` lifted it. Until the first of them ends.
 */
export function whatIsInForce(store: Store, config: Config, now: number): WaitCheck {
  const pic = usagePicture(store, config, now);
  const r = recoveryStatus(store, config, now, pic);
  if (r.state === 'paused' || r.state === 'backoff') {
    return { in_force: true, state: r.state, until: r.until, reason: r.reason };
  }
  const hard = config.alerts.hard_cost_limit;
  const u = pic.view;
  if (r.state === 'cost_limit' && hard !== null && u.costUsd >= hard && u.resetAt !== null && u.resetAt > now) {
    return { in_force: true, state: r.state, until: iso(u.resetAt), reason: r.reason };
  }
  if (liftedUntil(store, now) === null) {
    // Pacing slows calls but lets them through: only a hold that denies is waited out.
    const hold = usageHolds(pic.view, pic.modelHolds, config, now).find((h) => h.kind !== 'pacing');
    if (hold && hold.until !== null && hold.until > now) {
      return { in_force: true, state: 'held', until: iso(hold.until), reason: hold.what };
    }
  }
  return { in_force: false, state: r.state, until: null, reason: null };
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

/** 1:02:03, 4:05, 0:09 */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** The reason without the prefix, the closing advice and a relative time that would go stale on screen. */
export function shortReason(reason: string | null): string | null {
  if (!reason) return null;
  const first = reason.replace(/^ccguard: /, '').split(/\.\s/)[0] ?? '';
  return first.replace(/,\s*[^,]*from now$/, '').replace(/\.$/, '').trim() || null;
}

const WHAT: Record<string, string> = { paused: 'the pause', backoff: 'the backoff', pacing: 'the 5-hour limit', degraded: 'the hard cost limit' };
const what = (state: string): string => WHAT[state] ?? state;

function progressLine(s: WaitCheck, now: number): string {
  const until = s.until === null ? null : Date.parse(s.until);
  const left = until === null ? 'until it is lifted' : `${countdown(until - now)} left, until ${clockText(until)}`;
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
  let ended: WaitResult['ended'] = 'expired';
  let now = t0;
  const width = Math.max(20, (io.columns || 80) - 1);
  for (;;) {
    now = io.now();
    if (io.signal.aborted) {
      ended = 'interrupted';
      break;
    }
    const untilMs = s.until === null ? null : Date.parse(s.until);
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
    else io.err.write(`ccguard: stopped waiting; still ${last.state}${last.until ? ` until ${clockText(Date.parse(last.until))}` : ''}.\n`);
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
    const r = await waitLoop({
      now: app.now,
      sleep: abortableSleep,
      check: (now) => whatIsInForce(app.store, app.config, now),
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
