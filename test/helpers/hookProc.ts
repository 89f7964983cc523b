// Hooks and the CLI as real processes, started asynchronously so many run at once, with what the
// reliability tests check of every answer: exit 0, nothing on stderr, stdout empty or one documented
// JSON shape, and the wall time.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { REPO, runCliSync, type Run } from './cli.ts';
import { HOOK_EVENTS, type HookEvent } from '../../lib/policy/types.ts';
import { EVENT_FILES } from '../../lib/settings/hookCommand.ts';

/** The built file each event runs: the names install writes into settings. */
export const HOOK_FILE = Object.fromEntries(HOOK_EVENTS.map((e) => [e, `${EVENT_FILES[e]}.js`])) as Record<
  HookEvent,
  string
>;

export { HOOK_EVENTS };

/**
 * The package under test: the repo's own build, or a copy of the package (bin, dist, config.yaml,
 * package.json, node_modules linked) named by CCGUARD_TEST_PACKAGE, which a rebuild of dist/ by
 * someone else cannot pull from under a long run.
 */
export const PACKAGE = process.env.CCGUARD_TEST_PACKAGE || REPO;
export const HOOKS = join(PACKAGE, 'dist', 'hooks');
export const CLI = join(PACKAGE, 'bin', 'ccguard.js');

/** The CLI of the package under test, synchronously, in a clean environment plus `env`. */
export function ccguard(args: string[], env: Record<string, string>, input?: string): Run {
  return runCliSync(CLI, args, env, input);
}

/** A preload that shifts Date.now() (and `new Date()`) by CCGUARD_TEST_CLOCK_SHIFT_MS. */
export const CLOCK_SHIFT = join(REPO, 'test', 'helpers', 'clockShift.mjs');

export interface ProcRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

export interface SpawnOpts {
  env: Record<string, string>;
  stdin?: string | Buffer;
  /** Killed (SIGKILL, its own id) past this: the run then reports timedOut. */
  killAfterMs?: number;
  /** Node flags before the script (e.g. --import a preload). */
  nodeArgs?: string[];
  /** Run under `umask 000` (through /bin/sh, in tests only). */
  umask000?: boolean;
  cwd?: string;
}

/** One node script as a child process, timed from spawn to exit. */
export function runNode(script: string, args: string[], o: SpawnOpts): Promise<ProcRun> {
  const argv = [...(o.nodeArgs ?? []), script, ...args];
  const [cmd, cmdArgs] = o.umask000
    ? ['/bin/sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, ...argv]]
    : [process.execPath, argv];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, cmdArgs, { env: o.env, stdio: ['pipe', 'pipe', 'pipe'], cwd: o.cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer =
      o.killAfterMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            p.kill('SIGKILL');
          }, o.killAfterMs)
        : null;
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    // A hook stops reading past its cap and exits: the rest of a huge stdin meets a closed pipe.
    p.stdin.on('error', () => undefined);
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - t0,
        timedOut,
      });
    });
    p.stdin.end(o.stdin ?? '');
  });
}

export function runHookProc(event: HookEvent, stdin: string | Buffer, o: Omit<SpawnOpts, 'stdin'>): Promise<ProcRun> {
  return runNode(join(HOOKS, HOOK_FILE[event]), [], { ...o, stdin });
}

export function runCli(args: string[], o: SpawnOpts): Promise<ProcRun> {
  return runNode(CLI, args, o);
}

/** Runs `jobs` with at most `width` in flight at once; results in job order. */
export async function pool<T>(width: number, jobs: readonly (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array<T>(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < jobs.length; i = next++) out[i] = await jobs[i]!();
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, lane));
  return out;
}

// ---------------------------------------------------------------------------------------------
// What Claude Code accepts from a hook (exit 0): nothing, or one JSON object of these shapes.

const Msg = z.string().min(1);
const ctxFor = (event: string) => z.strictObject({ hookEventName: z.literal(event), additionalContext: Msg });

const OUTPUT: Record<HookEvent, z.ZodType> = {
  PreToolUse: z.union([
    z.strictObject({
      hookSpecificOutput: z.strictObject({
        hookEventName: z.literal('PreToolUse'),
        permissionDecision: z.literal('deny'),
        permissionDecisionReason: Msg,
      }),
    }),
    z
      .strictObject({ systemMessage: Msg.optional(), hookSpecificOutput: ctxFor('PreToolUse').optional() })
      .refine((o) => o.systemMessage !== undefined || o.hookSpecificOutput !== undefined),
  ]),
  UserPromptSubmit: z.union([
    z.strictObject({ decision: z.literal('block'), reason: Msg }),
    z
      .strictObject({ systemMessage: Msg.optional(), hookSpecificOutput: ctxFor('UserPromptSubmit').optional() })
      .refine((o) => o.systemMessage !== undefined || o.hookSpecificOutput !== undefined),
  ]),
  SessionStart: z
    .strictObject({ systemMessage: Msg.optional(), hookSpecificOutput: ctxFor('SessionStart').optional() })
    .refine((o) => o.systemMessage !== undefined || o.hookSpecificOutput !== undefined),
  PostToolUse: z.strictObject({ systemMessage: Msg }),
  Stop: z.strictObject({ systemMessage: Msg }),
  SubagentStop: z.strictObject({ systemMessage: Msg }),
  StopFailure: z.strictObject({ systemMessage: Msg }),
  SessionEnd: z.strictObject({ systemMessage: Msg }),
  Notification: z.strictObject({ systemMessage: Msg }),
};

/**
 * Why a hook's stdout is not something Claude Code takes as an answer, or null when it is: empty, or
 * one line of JSON of the documented shape for that event, ending in a newline.
 */
export function badOutput(event: HookEvent, stdout: string, trailingNewline = true): string | null {
  if (stdout === '') return null;
  if (trailingNewline && !stdout.endsWith('\n'))
    return `stdout does not end with a newline: ${JSON.stringify(stdout.slice(-40))}`;
  const body = trailingNewline ? stdout.slice(0, -1) : stdout;
  if (body.includes('\n')) return `stdout is more than one line: ${JSON.stringify(stdout.slice(0, 120))}`;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return `stdout is not JSON: ${JSON.stringify(stdout.slice(0, 120))}`;
  }
  const r = OUTPUT[event].safeParse(v);
  return r.success ? null : `stdout is not a documented ${event} answer: ${body.slice(0, 200)}`;
}

/**
 * Why a hook process's run is not a clean answer, or null. Its time is a figure, never a verdict: only
 * a run killed unanswered (killAfterMs, Claude Code's own hook timeout) fails.
 */
export function badRun(event: HookEvent, r: ProcRun): string | null {
  if (r.timedOut) return `killed unanswered after ${Math.round(r.ms)} ms`;
  if (r.code !== 0) return `exit ${r.code} (signal ${r.signal}); stderr ${JSON.stringify(r.stderr.slice(0, 300))}`;
  if (r.stderr !== '') return `stderr not empty: ${JSON.stringify(r.stderr.slice(0, 300))}`;
  return badOutput(event, r.stdout);
}

// ---------------------------------------------------------------------------------------------
// Stand-ins on PATH.

/**
 * A PATH directory holding executables that sleep (claude-monitor, notify-send...), each recording
 * its pid so the test can end exactly the processes it caused and no other.
 */
export function sleepyBin(dir: string, names: readonly string[], seconds: number): { bin: string; pidFile: string } {
  const bin = join(dir, 'sleepy-bin');
  mkdirSync(bin, { recursive: true });
  const pidFile = join(dir, 'sleepy.pids');
  writeFileSync(pidFile, '');
  for (const n of names) {
    const f = join(bin, n);
    writeFileSync(f, `#!/bin/sh\necho $$ >> '${pidFile}'\nexec sleep ${seconds}\n`);
    chmodSync(f, 0o755);
  }
  return { bin, pidFile };
}
