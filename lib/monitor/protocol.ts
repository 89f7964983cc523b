// claude-monitor's command-line protocol (v4, see claude-monitor.md in the project docs): the argument
// list it is run with, what its exit codes mean, how a v3 refuses it and how its version reads. The
// snapshot's JSON shape is snapshot.ts; run.ts runs the command and reads its answer by these rules,
// for the detached refresh and `ccguard doctor` alike, so the two cannot disagree about what an answer
// is. Light on purpose: the hot path builds the settings (settings.ts) through here, so neither zod
// (snapshot.ts) nor execa (run.ts) is imported.
import type { MonitorOutcome } from '../store/monitorCache.ts';
import type { Config } from '../config/schema.ts';
import type { MonitorSnapshot } from './snapshot.ts';

export type MonitorPlan = 'pro' | 'max5' | 'max20' | 'custom';

/** The argument list for the configured integration: its `args`, with `--plan` added when one applies. */
export function monitorArgs(config: Config): { args: string[]; plan: MonitorPlan | null } {
  const c = config.integrations.claude_monitor;
  const top = config.plan;
  const plan = c.plan ?? (top === 'pro' || top === 'max5' || top === 'max20' || top === 'custom' ? top : null);
  const args = [...c.args];
  // The user's own --plan wins over one derived from the config.
  if (plan !== null && !args.some((a) => a === '--plan' || a.startsWith('--plan='))) args.push('--plan', plan);
  return { args, plan };
}

/** The argument that asks for its version (what doctor reports). */
export const VERSION_ARGS: readonly string[] = ['--version'];

/** Exit codes claude-monitor documents; 10 and 11 are answers, not failures. */
const BY_CODE: Readonly<Record<number, MonitorOutcome>> = {
  0: 'ok',
  10: 'near_limit',
  11: 'limit_hit',
  20: 'no_active_session',
  30: 'no_data',
};

/**
 * What a documented exit code (or a snapshot's `status.code`, which uses the same numbers) means;
 * undefined for any other code.
 */
export function outcomeOfCode(code: number): MonitorOutcome | undefined {
  return BY_CODE[code];
}

/** A v3 install: no `--once` / `--output json`, so its argument parser rejects them with usage text. */
const V3_TEXT = /unrecogni[sz]ed arguments?|no such option|unknown option|invalid choice|usage:/i;

/** What a v3 said in refusing the arguments (its exit 2 with usage text, no JSON), or null when this is no such refusal. */
export function v3Refusal(exitCode: number, stdout: string, stderr: string): string | null {
  if (exitCode !== 2 || stdout.trimStart().startsWith('{') || !V3_TEXT.test(stderr + '\n' + stdout)) return null;
  const text = `${stderr}\n${stdout}`;
  return (
    text
      .split('\n')
      .find((l) => V3_TEXT.test(l) && !/^\s*usage:/i.test(l))
      ?.trim()
      .slice(0, 200) ?? firstLine(text)
  );
}

/** The first non-empty line, cut to 200 characters: how a run's stderr is quoted. */
export const firstLine = (s: string): string =>
  s
    .trim()
    .split('\n')
    .find((l) => l.trim().length > 0)
    ?.trim()
    .slice(0, 200) ?? '';

/** The version `--version` printed, or null when it printed none. */
export function versionOf(output: string): string | null {
  return output.match(/\d+\.\d+(\.\d+)?/)?.[0] ?? null;
}

/** A snapshot's `status.code` as an outcome: a state file carries no exit code of its own. */
export function outcomeOfSnapshot(s: MonitorSnapshot): MonitorOutcome {
  // 0 and unknown codes alike: the snapshot is there, so it is an answer.
  return (s.statusCode !== null ? outcomeOfCode(s.statusCode) : undefined) ?? 'ok';
}
