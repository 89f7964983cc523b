// One run of claude-monitor, classified. Loaded only by the detached refresh process (execa stays out
// of the hooks): nothing here runs inline in a hook.
import { execa } from 'execa';
import type { MonitorCacheTable, MonitorOutcome } from '../store/monitorCache.ts';
import type { Logger } from '../util/log.ts';
import { parseSnapshot, SnapshotError, type MonitorSnapshot } from './snapshot.ts';
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

/** Exit codes claude-monitor documents; 10 and 11 are answers, not failures. */
const BY_CODE: Record<number, MonitorOutcome> = { 0: 'ok', 10: 'near_limit', 11: 'limit_hit', 20: 'no_active_session', 30: 'no_data' };

/** A v3 install: no `--once` / `--output json`, so its argument parser rejects them with usage text. */
const V3_TEXT = /unrecogni[sz]ed arguments?|no such option|unknown option|invalid choice|usage:/i;

const firstLine = (s: string): string => s.trim().split('\n').find((l) => l.trim().length > 0)?.trim().slice(0, 200) ?? '';

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
  const stdout = typeof r.stdout === 'string' ? r.stdout : '';
  const stderr = typeof r.stderr === 'string' ? r.stderr : '';
  const exitCode = typeof r.exitCode === 'number' ? r.exitCode : null;
  const base = { exitCode, durationMs, snapshot: null, from: 'cli' as const };
  if (r.timedOut) return { ...base, outcome: 'timeout', detail: `no answer within ${s.timeoutMs / 1000} s` };
  if (r.code === 'ENOENT') return { ...base, outcome: 'missing', detail: `${s.command}: command not found` };
  if (exitCode === null) return { ...base, outcome: 'error', detail: firstLine(r.shortMessage ?? '') || 'could not run' };
  const byCode = BY_CODE[exitCode];
  if (byCode === undefined) {
    if (exitCode === 2 && !stdout.trimStart().startsWith('{') && V3_TEXT.test(stderr + '\n' + stdout)) {
      const text = `${stderr}\n${stdout}`;
      const telling = text.split('\n').find((l) => V3_TEXT.test(l) && !/^\s*usage:/i.test(l))?.trim().slice(0, 200) ?? firstLine(text);
      return { ...base, outcome: 'v3', detail: `no JSON output (a claude-monitor before v4): ${telling}` };
    }
    return { ...base, outcome: 'error', detail: `exit ${exitCode}${firstLine(stderr) ? `: ${firstLine(stderr)}` : ''}` };
  }
  if (byCode === 'no_data' && !stdout.trimStart().startsWith('{')) return { ...base, outcome: 'no_data', detail: firstLine(stderr) || null };
  try {
    const parsed = parseSnapshot(stdout);
    return { ...base, outcome: byCode, detail: parsed.version ? `claude-monitor ${parsed.version}` : null, snapshot: parsed };
  } catch (e) {
    if (!(e instanceof SnapshotError)) throw e;
    // An answer by its exit code whose output is no snapshot: say what came instead.
    if (byCode === 'no_active_session' || byCode === 'no_data') return { ...base, outcome: byCode, detail: null };
    return { ...base, outcome: 'invalid', detail: e.message };
  }
}

const OUTCOME_OF_STATUS: Record<number, MonitorOutcome> = { 10: 'near_limit', 11: 'limit_hit', 20: 'no_active_session', 30: 'no_data' };

/** The state file's snapshot as a run's answer, when it is fresh. */
export function fromStateFile(s: MonitorSettings, now: number): MonitorRun | null {
  if (!s.stateFile) return null;
  const r = readStateFile(s.stateFile, now, s.maxAgeMs);
  if (r.kind !== 'fresh') return null;
  const outcome = (r.snapshot.statusCode !== null ? OUTCOME_OF_STATUS[r.snapshot.statusCode] : undefined) ?? 'ok';
  return { outcome, exitCode: null, detail: `state file ${s.stateFile}`, snapshot: r.snapshot, durationMs: 0, from: 'state_file' };
}

/**
 * One refresh: the state file when it is fresh, else a run of the command (unless a finding holds runs
 * off), stored for the hooks. Returns what was stored.
 */
export async function refreshMonitor(cache: MonitorCacheTable, s: MonitorSettings, env: NodeJS.ProcessEnv, log: Logger, now: () => number = Date.now): Promise<MonitorRun> {
  const fromFile = fromStateFile(s, now());
  if (fromFile) {
    recordMonitorRun(cache, s, fromFile, now(), log);
    return fromFile;
  }
  const inst = cache.get('install');
  if (inst && inst.until !== null && inst.until > now()) {
    // Only the state file could answer, and it is not fresh: say so, so the next try waits a TTL.
    const held: MonitorRun = { outcome: 'no_data', exitCode: null, detail: `state file not fresh; ${s.command} held off (${inst.status})`, snapshot: null, durationMs: 0, from: 'state_file' };
    recordMonitorRun(cache, s, held, now(), log);
    return held;
  }
  const run = await runMonitor(s, env);
  recordMonitorRun(cache, s, run, now(), log);
  return run;
}
