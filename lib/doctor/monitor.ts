import type { Check } from './checks.ts';
import { monitorVersion, runMonitor } from '../monitor/run.ts';
import { monitorSettings, type MonitorSettings } from '../monitor/settings.ts';
import type { Config } from '../config/schema.ts';
import type { Env } from '../util/paths.ts';
import { shellWord } from '../util/invocation.ts';

/**
 * claude-monitor as configured: found, its version, and whether the configured command and arguments
 * give a snapshot (v4) or not (v3). Runs exactly what the refresh runs, read by the same protocol.
 */
export async function checkMonitor(
  s: MonitorSettings,
  env: NodeJS.ProcessEnv,
  timeoutMs = Math.max(8000, s.timeoutMs),
): Promise<Check> {
  const found = await monitorVersion(s.command, env, timeoutMs);
  if (found === null) {
    return {
      name: 'claude-monitor',
      level: 'ok',
      detail: `not found (${s.command}): ccguard uses the status line and its own estimate`,
    };
  }
  const run = await runMonitor({ ...s, timeoutMs }, env);
  const asRun = [s.command, ...s.args].map(shellWord).join(' ');
  switch (run.outcome) {
    case 'ok':
    case 'near_limit':
    case 'limit_hit':
    case 'no_active_session':
    case 'no_data':
      // The snapshot names its version; `--version` output may hold other numbers first.
      if (run.snapshot)
        return {
          name: 'claude-monitor',
          level: 'ok',
          detail: `${run.snapshot.version ?? found}, JSON snapshots available`,
        };
      // A documented answer (no session, no data) that comes without a snapshot: v4 all the same.
      return {
        name: 'claude-monitor',
        level: 'ok',
        detail: `${found}: answered ${run.outcome.replaceAll('_', ' ')} (exit ${run.exitCode ?? '?'}), no snapshot to show yet`,
      };
    case 'v3':
      return {
        name: 'claude-monitor',
        level: 'warn',
        detail: `${found}: no JSON output (v3?)`,
        fix: 'upgrade to claude-monitor v4 for `--output json`',
      };
    case 'timeout':
      return {
        name: 'claude-monitor',
        level: 'warn',
        detail: `${found}: no answer within ${timeoutMs / 1000}s`,
        fix: `check that \`${asRun}\` finishes`,
      };
    case 'invalid':
    case 'error':
    case 'missing':
      return {
        name: 'claude-monitor',
        level: 'warn',
        detail: `${found}: \`${asRun}\` gave no snapshot: ${run.detail ?? run.outcome}`,
        fix: 'check integrations.claude_monitor.args in config.yaml, or upgrade to claude-monitor v4',
      };
    default: {
      const never: never = run.outcome;
      throw new Error(`unknown outcome ${String(never)}`);
    }
  }
}

/** claude-monitor as the config has it (null: no config loads): its command, with its arguments. */
export async function checkMonitorAsConfigured(config: Config | null, env: Env): Promise<Check> {
  if (config === null) {
    return {
      name: 'claude-monitor',
      level: 'warn',
      detail: 'not checked: no configuration loads to say how to run it',
      fix: 'reinstall ccguard (its own config.yaml is damaged)',
    };
  }
  const s = monitorSettings(config, env);
  if (s === null)
    return { name: 'claude-monitor', level: 'ok', detail: 'turned off (integrations.claude_monitor.enabled: false)' };
  return checkMonitor(s, { ...(env as NodeJS.ProcessEnv) });
}
