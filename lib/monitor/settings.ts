import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { Env } from '../util/paths.ts';
import { monitorArgs, type MonitorPlan } from './protocol.ts';

/** The claude-monitor integration as configured, resolved for use; null when it is switched off. */
export interface MonitorSettings {
  /** auto: quietly unused when not installed; on: the user asked for it, failures are logged as such. */
  mode: 'auto' | 'on';
  command: string;
  /** The full argument list, `--plan` included when one applies. */
  args: string[];
  /** The plan passed as --plan, or null for claude-monitor's own default. */
  plan: MonitorPlan | null;
  ttlMs: number;
  maxAgeMs: number;
  timeoutMs: number;
  stateFile: string | null;
}

function expandHome(p: string, env: Env): string {
  const home = env.HOME && env.HOME.length > 0 ? env.HOME : homedir();
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return isAbsolute(p) ? p : resolve(home, p);
}

export function monitorSettings(config: Config, env: Env): MonitorSettings | null {
  const c = config.integrations.claude_monitor;
  if (c.enabled === false) return null;
  const { args, plan } = monitorArgs(config);
  return {
    mode: c.enabled === true ? 'on' : 'auto',
    command: c.command,
    args,
    plan,
    ttlMs: c.cache_ttl_seconds * 1000,
    maxAgeMs: c.max_age_seconds * 1000,
    timeoutMs: c.timeout_seconds * 1000,
    stateFile: c.state_file === null ? null : expandHome(c.state_file, env),
  };
}

/** Whether `command` would be found: a path that exists, or a name in one of PATH's folders. Stats only. */
export function commandFound(command: string, env: Env): boolean {
  if (command.includes('/')) return existsSync(command);
  return (env.PATH ?? '').split(delimiter).some((dir) => dir.length > 0 && existsSync(join(dir, command)));
}
