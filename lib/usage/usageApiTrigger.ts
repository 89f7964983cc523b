// Starts the detached usage-endpoint refresh from a hook, and says how the endpoint is doing for
// `ccguard status` and `doctor`. Light on purpose (the hooks and the status command load it): no
// execa, no zod, no waiting; the refresh process reads the token, asks, and stores what it got.
import { startDetachedNode } from '../util/detached.ts';
import { crypto } from '../util/builtins.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../config/root.ts';
import type { Config } from '../config/schema.ts';
import type { Store } from '../store/store.ts';
import type { ScopedFigure, ScopedWindow, UsageApiOutcome, UsageApiState } from '../store/usageApiState.ts';
import { iso } from '../util/time.ts';
import type { Account } from '../util/account.ts';

/** How long one request may take, body included. */
export const USAGE_API_TIMEOUT_MS = 10_000;
/** How long `security` may take to answer from the macOS Keychain (it can wait on an unlock prompt). */
export const KEYCHAIN_TIMEOUT_MS = 5_000;
/** A claimed refresh that never released its lock is void this long after its work's own timeouts. */
export const LOCK_SLACK_MS = 20_000;
/** How long a claim holds at most: a refresh that died without releasing it blocks no longer. */
export const LOCK_MS = USAGE_API_TIMEOUT_MS + KEYCHAIN_TIMEOUT_MS + LOCK_SLACK_MS;

export function usageApiScript(): string {
  return join(packageRoot(), 'dist', 'lib', 'usage', 'usageApiRefresh.js');
}

/**
 * Whether the endpoint may be asked now: never while switched off, never before a 429's Retry-After
 * has passed, and not before the last attempt (whatever its outcome) is ttl_seconds old: a failing
 * endpoint or a missing sign-in costs one try per TTL, not one per hook.
 */
export function usageApiDue(
  state: UsageApiState,
  config: Config,
  now: number,
): 'due' | 'not_due' | 'retry_later' | 'disabled' {
  const c = config.limits.usage_api;
  if (!c.enabled) return 'disabled';
  const last = state.attempt();
  if (!last) return 'due';
  if (last.retryUntil !== null && last.retryUntil > now) return 'retry_later';
  // A last attempt in the future is a clock that went back: asking again is the way out of it.
  return last.ts > now || now - last.ts >= c.ttl_seconds * 1000 ? 'due' : 'not_due';
}

export type UsageApiStart =
  'disabled' | 'not_due' | 'running' | 'retry_later' | 'started' | 'no_script' | 'spawn_failed';

/**
 * When the endpoint is due, claims the refresh (one at a time across every hook process) and starts
 * it as a detached process; returns at once either way. `env` is handed to the refresh as is: it
 * finds the state directory, the config and Claude Code's credentials from it.
 */
export function startUsageApiRefresh(
  store: Store,
  config: Config,
  account: Pick<Account, 'key' | 'kind'>,
  now: number,
  env: NodeJS.ProcessEnv,
  script?: string,
): UsageApiStart {
  // Switched off (the default) costs nothing beyond this.
  if (!config.limits.usage_api.enabled) return 'disabled';
  // Each account (the session's, as the hook worked it out) asks with its own token, on its own
  // schedule; an API key has no windows to ask about.
  if (account.kind === 'api') return 'disabled';
  const state = store.usageApiOf(account.key);
  // Read-only first: most calls end here without taking the write lock.
  const due = usageApiDue(state, config, now);
  if (due !== 'due') return due;
  const lock = state.lock();
  if (lock && lock.until > now) return 'running';
  const file = script ?? usageApiScript();
  if (!existsSync(file)) return 'no_script';
  const owner = `${process.pid}-${crypto().randomBytes(6).toString('hex')}`;
  if (!state.claimRefresh(now, now + LOCK_MS, owner, () => usageApiDue(state, config, now) === 'due')) return 'running';
  if (startDetachedNode(file, [owner], env)) return 'started';
  state.releaseRefresh(owner);
  return 'spawn_failed';
}

/** What `ccguard status` and `doctor` show about the usage endpoint. Times are ms since the epoch. */
export interface UsageApiStatus {
  enabled: boolean;
  /** 'off' | 'not run yet' | 'ok' | 'rate limited until <ISO time>' | 'sign-in lapsed' | 'no credentials' | ... */
  state: string;
  outcome: UsageApiOutcome | null;
  last_attempt_at: number | null;
  last_ok_at: number | null;
  /** No request before this (a 429's Retry-After), when still ahead. */
  retry_until: number | null;
  detail: string | null;
  /** Model-scoped weekly figures from the last answer (informational: not enforced). */
  scoped: Partial<Record<ScopedWindow, ScopedFigure>>;
}

const STATE_OF: Record<UsageApiOutcome, string> = {
  ok: 'ok',
  rate_limited: 'rate limited',
  auth: 'sign-in lapsed',
  http_error: 'endpoint error',
  network_error: 'unreachable',
  bad_body: 'unreadable answer',
  bad_url: 'refused URL',
  no_credentials: 'no credentials',
  no_scope: 'no user:profile scope',
  expired: 'token expired',
  unreadable: 'credentials unreadable',
  error: 'error',
};

export function usageApiStatus(store: Store, config: Config, account: string, now: number): UsageApiStatus {
  const enabled = config.limits.usage_api.enabled;
  const state = store.usageApiOf(account);
  const last = state.attempt();
  const ok = state.lastOk();
  const retryUntil =
    last?.retryUntil !== null && last?.retryUntil !== undefined && last.retryUntil > now ? last.retryUntil : null;
  let text: string;
  if (!enabled) text = 'off';
  else if (!last) text = 'not run yet';
  else if (last.outcome === 'rate_limited' && retryUntil !== null) text = `rate limited until ${iso(retryUntil)}`;
  else if (last.outcome === 'http_error' && last.status !== null) text = `endpoint error (HTTP ${last.status})`;
  else text = STATE_OF[last.outcome];
  return {
    enabled,
    state: text,
    outcome: last?.outcome ?? null,
    last_attempt_at: last?.ts ?? null,
    last_ok_at: ok?.ts ?? null,
    retry_until: retryUntil,
    detail: last?.detail ?? null,
    scoped: ok?.scoped ?? {},
  };
}
