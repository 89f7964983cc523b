// claude-monitor's command-line protocol (v4, see claude-monitor.md in the project docs): the argument
// list it is run with, what its exit codes mean, and how a finished run's output reads. The snapshot's
// JSON shape itself is snapshot.ts. The detached refresh (run.ts) and `ccguard doctor` both go through
// here, so the two cannot disagree about what an answer is. Pure on purpose: the hot path builds the
// argument list through settings.ts, and running the command (execa) stays in run.ts.
import type { MonitorOutcome } from '../store/monitorCache.ts';
import type { Config } from '../config/schema.ts';
import { parseSnapshot, SnapshotError, type MonitorSnapshot } from './snapshot.ts';

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
const BY_CODE: Readonly<Record<number, MonitorOutcome>> = { 0: 'ok', 10: 'near_limit', 11: 'limit_hit', 20: 'no_active_session', 30: 'no_data' };

/**
 * What a documented exit code (or a snapshot's `status.code`, which uses the same numbers) means;
 * undefined for any other code.
 */
function outcomeOfCode(code: number): MonitorOutcome | undefined {
  return BY_CODE[code];
}

/** A v3 install: no `--once` / `--output json`, so its argument parser rejects them with usage text. */
const V3_TEXT = /unrecogni[sz]ed arguments?|no such option|unknown option|invalid choice|usage:/i;

const firstLine = (s: string): string => s.trim().split('\n').find((l) => l.trim().length > 0)?.trim().slice(0, 200) ?? '';

/** How a run of the command ended, as the process runner reports it. */
export interface FinishedRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The command was not found at all. */
  notFound: boolean;
  /** The runner's own one-line account, for a run that ended without an exit code. */
  failure: string;
}

/** One run's meaning: its outcome, what went wrong (or the tool's version on success), and the snapshot. */
export interface MonitorAnswer {
  outcome: MonitorOutcome;
  detail: string | null;
  snapshot: MonitorSnapshot | null;
}

/** Reads one finished run of `command` (given `timeoutMs`) by the documented protocol. */
export function classifyRun(command: string, timeoutMs: number, r: FinishedRun): MonitorAnswer {
  const none = { snapshot: null };
  if (r.timedOut) return { ...none, outcome: 'timeout', detail: `no answer within ${timeoutMs / 1000} s` };
  if (r.notFound) return { ...none, outcome: 'missing', detail: `${command}: command not found` };
  if (r.exitCode === null) return { ...none, outcome: 'error', detail: firstLine(r.failure) || 'could not run' };
  const byCode = outcomeOfCode(r.exitCode);
  if (byCode === undefined) {
    if (r.exitCode === 2 && !r.stdout.trimStart().startsWith('{') && V3_TEXT.test(r.stderr + '\n' + r.stdout)) {
      const text = `${r.stderr}\n${r.stdout}`;
      const telling = text.split('\n').find((l) => V3_TEXT.test(l) && !/^\s*usage:/i.test(l))?.trim().slice(0, 200) ?? firstLine(text);
      return { ...none, outcome: 'v3', detail: `no JSON output (a claude-monitor before v4): ${telling}` };
    }
    return { ...none, outcome: 'error', detail: `exit ${r.exitCode}${firstLine(r.stderr) ? `: ${firstLine(r.stderr)}` : ''}` };
  }
  if (byCode === 'no_data' && !r.stdout.trimStart().startsWith('{')) return { ...none, outcome: 'no_data', detail: firstLine(r.stderr) || null };
  try {
    const parsed = parseSnapshot(r.stdout);
    return { outcome: byCode, detail: parsed.version ? `claude-monitor ${parsed.version}` : null, snapshot: parsed };
  } catch (e) {
    if (!(e instanceof SnapshotError)) throw e;
    // An answer by its exit code whose output is no snapshot: say what came instead.
    if (byCode === 'no_active_session' || byCode === 'no_data') return { ...none, outcome: byCode, detail: null };
    return { ...none, outcome: 'invalid', detail: e.message };
  }
}

/** The version `--version` printed, or null when it printed none. */
export function versionOf(output: string): string | null {
  return output.match(/\d+\.\d+(\.\d+)?/)?.[0] ?? null;
}

/** A snapshot's `status.code` as an outcome: a state file carries no exit code of its own. */
export function outcomeOfSnapshot(s: MonitorSnapshot): MonitorOutcome {
  // 0 and unknown codes alike: the snapshot is there, so it is an answer.
  return (s.statusCode !== null ? outcomeOfCode(s.statusCode) : undefined) ?? 'ok';
}
