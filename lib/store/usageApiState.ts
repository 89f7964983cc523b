import type { MetaTable } from './meta.ts';
import type { Write } from './store.ts';
import { isObj } from '../util/guards.ts';

/**
 * How one request to the usage endpoint ended, or why none was sent:
 * - `ok`: figures read (and stored in rate_limits with source `usage_api`);
 * - `rate_limited`: 429; no request before its Retry-After has passed;
 * - `auth`: 401/403, the sign-in lapsed (Claude Code renews or asks for it, never ccguard);
 * - `http_error`, `network_error`, `bad_body`: the endpoint failed or answered something unreadable;
 * - `bad_url`: the configured URL would send the token in clear text to another machine;
 * - `no_credentials`, `no_scope`, `expired`, `unreadable`: no usable token, so nothing was sent;
 * - `error`: anything else (a bug or a broken state directory), in `detail`.
 */
export const USAGE_API_OUTCOMES = [
  'ok',
  'rate_limited',
  'auth',
  'http_error',
  'network_error',
  'bad_body',
  'bad_url',
  'no_credentials',
  'no_scope',
  'expired',
  'unreadable',
  'error',
] as const;
export type UsageApiOutcome = (typeof USAGE_API_OUTCOMES)[number];

/** A model-scoped weekly figure the endpoint also reports; shown, not enforced. */
export interface ScopedFigure {
  usedPct: number;
  /** ms since the epoch */
  resetsAt: number | null;
}

export type ScopedWindow = 'seven_day_opus' | 'seven_day_sonnet';

/** The last request, whatever it gave. Times are ms since the epoch. */
export interface UsageApiAttempt {
  ts: number;
  outcome: UsageApiOutcome;
  /** One line for people; never holds the token. */
  detail: string | null;
  /** The HTTP status, when an answer came. */
  status: number | null;
  /** No request before this (a 429's Retry-After). */
  retryUntil: number | null;
}

/** The last request that answered with figures. */
export interface UsageApiOk {
  ts: number;
  /** How many windows (five_hour, seven_day) it reported. */
  windows: number;
  scoped: Partial<Record<ScopedWindow, ScopedFigure>>;
}

/** The refresh running now: one at a time on this machine, void after `until`. */
export interface UsageApiLock {
  owner: string;
  ts: number;
  until: number;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function scopedOf(v: unknown): Partial<Record<ScopedWindow, ScopedFigure>> {
  const out: Partial<Record<ScopedWindow, ScopedFigure>> = {};
  if (!isObj(v)) return out;
  for (const k of ['seven_day_opus', 'seven_day_sonnet'] as const) {
    const f = v[k];
    if (isObj(f) && num(f.usedPct) !== null) out[k] = { usedPct: num(f.usedPct) ?? 0, resetsAt: num(f.resetsAt) };
  }
  return out;
}

/**
 * The usage endpoint's refresh state of one account (each asks with its own token), kept as JSON in
 * the meta table's `usage_api_accounts`, one slot per account: the last attempt (so a failing
 * endpoint is asked once per TTL, and a 429 not before its Retry-After), the last success, and the
 * lock that keeps one request per account in flight.
 */
export class UsageApiState {
  constructor(
    private readonly meta: MetaTable,
    private readonly write: Write,
    private readonly account: string,
  ) {}

  private slot(name: 'attempt' | 'ok' | 'lock'): Record<string, unknown> | undefined {
    const all = this.meta.getJson('usage_api_accounts');
    const mine = all?.[this.account];
    const v = isObj(mine) ? mine[name] : undefined;
    return isObj(v) ? v : undefined;
  }

  /** Sets (or with undefined, drops) slots of this account; call inside a write. */
  private put(values: Partial<Record<'attempt' | 'ok' | 'lock', object | undefined>>): void {
    const all = { ...(this.meta.getJson('usage_api_accounts') ?? {}) };
    const cur = all[this.account];
    const mine: Record<string, unknown> = isObj(cur) ? { ...cur } : {};
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete mine[k];
      else mine[k] = v;
    }
    all[this.account] = mine;
    this.meta.putJson('usage_api_accounts', all);
  }

  attempt(): UsageApiAttempt | undefined {
    const v = this.slot('attempt');
    const ts = num(v?.ts);
    const outcome = str(v?.outcome);
    if (!v || ts === null || outcome === null || !(USAGE_API_OUTCOMES as readonly string[]).includes(outcome))
      return undefined;
    return {
      ts,
      outcome: outcome as UsageApiOutcome,
      detail: str(v.detail),
      status: num(v.status),
      retryUntil: num(v.retryUntil),
    };
  }

  lastOk(): UsageApiOk | undefined {
    const v = this.slot('ok');
    const ts = num(v?.ts);
    if (!v || ts === null) return undefined;
    return { ts, windows: num(v.windows) ?? 0, scoped: scopedOf(v.scoped) };
  }

  lock(): UsageApiLock | undefined {
    const v = this.slot('lock');
    const owner = str(v?.owner);
    const ts = num(v?.ts);
    const until = num(v?.until);
    if (owner === null || ts === null || until === null) return undefined;
    return { owner, ts, until };
  }

  /**
   * Stores one attempt, and the success with it when there is one. Its own immediate transaction, or
   * a savepoint inside the caller's (with the readings it brought).
   */
  recordAttempt(a: UsageApiAttempt, ok?: UsageApiOk): void {
    this.write(() => {
      this.put(ok ? { attempt: a, ok } : { attempt: a });
    });
  }

  /**
   * Claims the refresh for `owner` when none is running (or the running one's claim expired) and
   * `due()` still says one is needed, both read inside one immediate transaction: across every hook
   * process, one claim succeeds per refresh.
   */
  claimRefresh(now: number, expiresAt: number, owner: string, due: () => boolean): boolean {
    return this.write(() => {
      const lock = this.lock();
      if (lock && lock.until > now) return false;
      if (!due()) return false;
      this.put({ lock: { owner, ts: now, until: expiresAt } satisfies UsageApiLock });
      return true;
    });
  }

  /** Drops the lock if `owner` still holds it. */
  releaseRefresh(owner: string): void {
    this.write(() => {
      if (this.lock()?.owner === owner) this.put({ lock: undefined });
    });
  }
}
