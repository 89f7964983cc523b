// Starts the detached refresh from a hook. Light on purpose (the full hook path loads it): no execa,
// no waiting; the refresh process does the run, the validation and the storing.
import { startDetachedNode } from '../util/detached.ts';
import { crypto } from '../util/builtins.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../config/root.ts';
import { MonitorCacheTable } from '../store/monitorCache.ts';
import { commandFound, type MonitorSettings } from './settings.ts';

/** A claimed refresh that never released its lock is void this long after its run's timeout. */
export const LOCK_SLACK_MS = 20_000;

export function refreshScript(): string {
  return join(packageRoot(), 'dist', 'lib', 'monitor', 'refresh.js');
}

/**
 * Whether claude-monitor should be run again: not while a finding (a v3 install, a missing command)
 * holds runs off, and not before the last run (whatever its outcome) is cache_ttl_seconds old.
 */
export function refreshDue(cache: MonitorCacheTable, s: MonitorSettings, now: number): boolean {
  // A state file is read by the refresh even while the command itself is held off.
  const inst = s.stateFile ? undefined : cache.get('install');
  if (inst && inst.until !== null && inst.until > now) return false;
  const last = cache.get('attempt');
  return !last || last.ts > now || now - last.ts >= s.ttlMs;
}

export type RefreshStart = 'started' | 'not_due' | 'running' | 'not_installed' | 'no_script' | 'spawn_failed';

/**
 * When the cached output is stale, claims the refresh (one at a time across every hook process) and
 * starts it as a detached process; returns at once either way.
 */
export function startRefresh(
  cache: MonitorCacheTable,
  s: MonitorSettings,
  now: number,
  env: NodeJS.ProcessEnv,
  script = refreshScript(),
): RefreshStart {
  // Read-only first: most calls end here without taking the write lock.
  // With `enabled: auto`, a command that is nowhere on PATH is not worth a process (no state file either).
  if (s.mode === 'auto' && !s.stateFile && !commandFound(s.command, env)) return 'not_installed';
  if (!refreshDue(cache, s, now)) return 'not_due';
  const lock = cache.get('lock');
  if (lock && lock.until !== null && lock.until > now) return 'running';
  if (!existsSync(script)) return 'no_script';
  const owner = `${process.pid}-${crypto().randomBytes(6).toString('hex')}`;
  if (!cache.claimRefresh(now, now + s.timeoutMs + LOCK_SLACK_MS, owner, () => refreshDue(cache, s, now)))
    return 'running';
  if (startDetachedNode(script, [owner], env)) return 'started';
  cache.releaseRefresh(owner);
  return 'spawn_failed';
}
