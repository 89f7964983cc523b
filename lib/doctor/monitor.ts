import { execa } from 'execa';
import type { Check } from './checks.ts';

/** claude-monitor on PATH, its version, and whether it speaks JSON (v4) or not (v3). */
export async function checkMonitor(command: string, env: NodeJS.ProcessEnv, timeoutMs = 8000): Promise<Check> {
  const opts = { env, timeout: timeoutMs, reject: false, stdin: 'ignore' as const, extendEnv: false };
  const v = await execa(command, ['--version'], opts).catch(() => null);
  if (!v || v.exitCode === undefined) {
    return { name: 'claude-monitor', level: 'ok', detail: `not found (${command}): ccguard uses the status line and its own estimate` };
  }
  const version = `${v.stdout} ${v.stderr}`.match(/\d+\.\d+(\.\d+)?/)?.[0] ?? 'unknown version';
  const j = await execa(command, ['--once', '--output', 'json', '--view', 'realtime'], opts).catch(() => null);
  const answers = new Set([0, 10, 11, 20, 30]);
  let json = false;
  if (j && j.exitCode !== undefined && answers.has(j.exitCode)) {
    try {
      const parsed: unknown = JSON.parse(String(j.stdout));
      json = typeof parsed === 'object' && parsed !== null && 'schema_version' in parsed;
    } catch {
      json = false;
    }
  }
  if (j?.timedOut) return { name: 'claude-monitor', level: 'warn', detail: `${version}: no answer within ${timeoutMs / 1000}s`, fix: 'check that `claude-monitor --once --output json` finishes' };
  return json
    ? { name: 'claude-monitor', level: 'ok', detail: `${version}, JSON snapshots available` }
    : { name: 'claude-monitor', level: 'warn', detail: `${version}: no JSON output (v3?)`, fix: 'upgrade to claude-monitor v4 for `--output json`' };
}
