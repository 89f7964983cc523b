// One run of claude-monitor, classified. Loaded only by the detached refresh process (execa stays out
// of the hooks): nothing here runs inline in a hook.
import { execa } from 'execa';
import type { MonitorCacheTable, MonitorOutcome } from '../store/monitorCache.ts';
import type { Logger } from '../util/log.ts';
import { parseSnapshot, SnapshotError, type MonitorSnapshot } from './snapshot.ts';
import { firstLine, outcomeOfCode, outcomeOfSnapshot, v3Refusal, VERSION_ARGS, versionOf } from './protocol.ts';
import type { MonitorSettings } from './settings.ts';
import { readStateFile } from './stateFile.ts';
import { recordMonitorRun } from './record.ts';

export interface MonitorRun {
  outcome: MonitorOutcome;
  exitCode: number | null;
  /** What went wrong, or the tool's version on success. */
  detail: string | null;
  snapshot: MonitorSnapshot | null;
  durationMs: number;
  /** Where the answer came from: a run of the command, or the state file it keeps. */
  from: 'cli' | 'state_file';
}

/** How a run of the command ended, as the process runner reports it. */
interface FinishedRun {
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
interface MonitorAnswer {
  outcome: MonitorOutcome;
  detail: string | null;
  snapshot: MonitorSnapshot | null;
}

/** Reads one finished run of `command` (given `timeoutMs`) by the documented protocol (protocol.ts). */
function classifyRun(command: string, timeoutMs: number, r: FinishedRun): MonitorAnswer {
  const none = { snapshot: null };
  if (r.timedOut) return { ...none, outcome: 'timeout', detail: `no answer within ${timeoutMs / 1000} s` };
  if (r.notFound) return { ...none, outcome: 'missing', detail: `${command}: command not found` };
  if (r.exitCode === null) return { ...none, outcome: 'error', detail: firstLine(r.failure) || 'could not run' };
  const byCode = outcomeOfCode(r.exitCode);
  if (byCode === undefined) {
    const telling = v3Refusal(r.exitCode, r.stdout, r.stderr);
    if (telling !== null)
      return { ...none, outcome: 'v3', detail: `no JSON output (a claude-monitor before v4): ${telling}` };
    return {
      ...none,
      outcome: 'error',
      detail: `exit ${r.exitCode}${firstLine(r.stderr) ? `: ${firstLine(r.stderr)}` : ''}`,
    };
  }
  if (byCode === 'no_data' && !r.stdout.trimStart().startsWith('{'))
    return { ...none, outcome: 'no_data', detail: firstLine(r.stderr) || null };
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

export async function runMonitor(s: MonitorSettings, env: NodeJS.ProcessEnv): Promise<MonitorRun> {
  const t0 = performance.now();
  // An argument list, never a shell; its own process group is killed on timeout.
  const r = await execa(s.command, s.args, {
    reject: false,
    timeout: s.timeoutMs,
    forceKillAfterDelay: 1000,
    stdin: 'ignore',
    env,
    extendEnv: false,
    maxBuffer: 4 * 1024 * 1024,
    stripFinalNewline: false,
  });
  const durationMs = performance.now() - t0;
  const exitCode = typeof r.exitCode === 'number' ? r.exitCode : null;
  const answer = classifyRun(s.command, s.timeoutMs, {
    exitCode,
    stdout: typeof r.stdout === 'string' ? r.stdout : '',
    stderr: typeof r.stderr === 'string' ? r.stderr : '',
    timedOut: r.timedOut,
    notFound: r.code === 'ENOENT',
    failure: r.shortMessage ?? '',
  });
  return { ...answer, exitCode, durationMs, from: 'cli' };
}

/** The version `command --version` reports: null when the command is not there, 'unknown version' when it says none. */
export async function monitorVersion(
  command: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<string | null> {
  const v = await execa(command, VERSION_ARGS, {
    env,
    timeout: timeoutMs,
    reject: false,
    stdin: 'ignore',
    extendEnv: false,
  }).catch(() => null);
  if (!v || v.exitCode === undefined) return null;
  return versionOf(`${String(v.stdout)} ${String(v.stderr)}`) ?? 'unknown version';
}

/** The state file's snapshot as a run's answer, when it is fresh. */
export function fromStateFile(s: MonitorSettings, now: number): MonitorRun | null {
  if (!s.stateFile) return null;
  const r = readStateFile(s.stateFile, now, s.maxAgeMs);
  if (r.kind !== 'fresh') return null;
  return {
    outcome: outcomeOfSnapshot(r.snapshot),
    exitCode: null,
    detail: `state file ${s.stateFile}`,
    snapshot: r.snapshot,
    durationMs: 0,
    from: 'state_file',
  };
}

/**
 * One refresh: the state file when it is fresh, else a run of the command (unless a finding holds runs
 * off), stored for the hooks. Returns what was stored.
 */
export async function refreshMonitor(
  cache: MonitorCacheTable,
  s: MonitorSettings,
  env: NodeJS.ProcessEnv,
  log: Logger,
  now: () => number = Date.now,
): Promise<MonitorRun> {
  const fromFile = fromStateFile(s, now());
  if (fromFile) {
    recordMonitorRun(cache, s, fromFile, now(), log);
    return fromFile;
  }
  const inst = cache.get('install');
  if (inst && inst.until !== null && inst.until > now()) {
    // Only the state file could answer, and it is not fresh: say so, so the next try waits a TTL.
    const held: MonitorRun = {
      outcome: 'no_data',
      exitCode: null,
      detail: `state file not fresh; ${s.command} held off (${inst.status})`,
      snapshot: null,
      durationMs: 0,
      from: 'state_file',
    };
    recordMonitorRun(cache, s, held, now(), log);
    return held;
  }
  const run = await runMonitor(s, env);
  recordMonitorRun(cache, s, run, now(), log);
  return run;
}
