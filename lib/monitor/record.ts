import type { MonitorCacheTable } from '../store/monitorCache.ts';
import type { Logger } from '../util/log.ts';
import type { MonitorRun } from './run.ts';
import type { MonitorSettings } from './settings.ts';

/** A v3 install is asked again after this long (it may have been upgraded meanwhile). */
export const V3_RETRY_MS = 24 * 3_600_000;
/** A missing command, with `enabled: auto`: looked for again after this long. */
export const MISSING_RETRY_AUTO_MS = 3_600_000;
/** A missing command the user asked for (`enabled: true`): looked for again sooner. */
export const MISSING_RETRY_ON_MS = 5 * 60_000;

/** Stores one run's result and logs what the user should hear about, once per change. */
export function recordMonitorRun(
  cache: MonitorCacheTable,
  s: MonitorSettings,
  run: MonitorRun,
  now: number,
  log: Logger,
): void {
  const before = cache.get('attempt');
  const changed = before?.status !== run.outcome;
  switch (run.outcome) {
    case 'v3':
      cache.putInstall('v3', now, now + V3_RETRY_MS, run.detail ?? 'no JSON output');
      if (changed)
        log.warn(
          `claude-monitor ${s.command} has no JSON output (v3?): not used; upgrade to v4 or set integrations.claude_monitor.enabled: false (${run.detail ?? ''})`,
        );
      break;
    case 'missing':
      cache.putInstall(
        'missing',
        now,
        now + (s.mode === 'on' ? MISSING_RETRY_ON_MS : MISSING_RETRY_AUTO_MS),
        run.detail ?? 'not found',
      );
      if (s.mode === 'on' && changed)
        log.warn(`claude-monitor: ${run.detail ?? 'not found'} (integrations.claude_monitor.enabled is true)`);
      break;
    case 'invalid':
    case 'timeout':
    case 'error':
      if (changed) log.warn(`claude-monitor run failed (${run.outcome}): ${run.detail ?? ''}`);
      break;
    case 'ok':
    case 'near_limit':
    case 'limit_hit':
    case 'no_active_session':
    case 'no_data':
      if (changed) log.info(`claude-monitor answered: ${run.outcome} in ${Math.round(run.durationMs)} ms`);
      break;
    default: {
      const never: never = run.outcome;
      throw new Error(`unknown outcome ${String(never)}`);
    }
  }
  cache.recordRun({
    outcome: run.outcome,
    ts: now,
    exitCode: run.exitCode,
    detail: run.detail,
    // Stored as ccguard's own normalized form, so reading it back needs no schema library.
    snapshot: run.snapshot ? { payload: JSON.stringify(run.snapshot), generatedAt: run.snapshot.generatedAt } : null,
    clearsInstall: run.from === 'cli' && run.outcome !== 'v3' && run.outcome !== 'missing',
  });
}
