/**
 * `ccguard run -- <command…>`: a foreground supervisor for one unattended job, living exactly as long
 * as the job. It runs the command as typed (no shell, its stdio passed through unchanged); when the
 * run ends waiting (ccguard deferred a held tool call, or Claude's usage limit stopped it) it waits
 * until the hold is over, as `ccguard wait` does, resumes that very session in the same folder with
 * the same options, and repeats until the job ends by itself.
 *
 * How it learns where the run stopped: every hook of the job sees CCGUARD_RUN_ID (Claude Code hands
 * its own environment on to hooks), and records it with a deferral or a limit stop; a limit line in
 * a transcript of the job's folder is the fallback. Nothing is read from the job's output, so any
 * `--output-format` works and the output stays the job's own.
 *
 * The loop takes its clock, process start, check and sleep as arguments (SuperviseIo), so its rules
 * are tested without Claude Code or waiting.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { basename } from 'node:path';
import { catchUp, type AppContext } from '../../app/context.ts';
import { parseCommand } from '../args.ts';
import { SPECS } from '../spec.ts';
import type { Out } from '../format.ts';
import { resumeCommand as resumeLine, stopHold, stopOf, waitingEntry, type Stop } from '../../app/unattended.ts';
import { CONTINUE_PROMPT, DEFAULT_COMMAND, resumeCommand } from '../claudeArgs.ts';
import { abortableSleep, waitCheck, waitLoop } from './wait.ts';
import { CcguardError, UsageError } from '../../util/errors.ts';
import { fmtAt } from '../../util/format.ts';
import { sendDetached } from '../../notify/send.ts';
import { logFilePath } from '../../util/paths.ts';
import { ownCli } from '../../config/root.ts';
import { crypto } from '../../util/builtins.ts';

/** The exit code when it gives up after --max-resumes with the job still waiting (EX_TEMPFAIL). */
export const GAVE_UP = 75;
/** Past a hold's end before the session is resumed: the server's reset is in whole seconds. */
const PAST_RESET_MS = 2000;

export interface JobExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SuperviseIo {
  now(): number;
  /** Starts one run of the job; resolves when it exits. */
  start(command: readonly string[], cwd: string, resuming: boolean): Promise<JobExit>;
  /** How the run that started at `since` stopped waiting, or null when it ended by itself. */
  stopSince(since: number, cwd: string): Promise<Stop | null> | Stop | null;
  /** Waits until nothing holds a tool call back and the stop's own hold has passed; false when interrupted. */
  waitOut(stop: Stop): Promise<boolean>;
  notify(title: string, message: string): void;
  err: Pick<Out, 'write'>;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** The command that resumes a session, as `status` prints it. */
  resumeHint(sessionId: string): string;
}

export interface SuperviseOptions {
  command: readonly string[];
  cwd: string;
  maxResumes: number;
  /** `ccguard run --resume`: start by waiting out this session's hold, then resume it. */
  from?: Stop;
}

const exitCode = (e: JobExit): number => e.code ?? 128 + (e.signal ? (constants.signals[e.signal] ?? 1) : 1);
const short = (id: string): string => id.slice(0, 8);

/** The supervisor's loop: run, and while the run stopped waiting, wait and resume. The job's exit code. */
export async function supervise(o: SuperviseOptions, io: SuperviseIo): Promise<number> {
  let resumes = 0;
  let cwd = o.cwd;
  let command: readonly string[] = o.command;
  let stop: Stop | null = o.from ?? null;
  let last = 0;
  for (;;) {
    if (stop) {
      if (resumes >= o.maxResumes) {
        io.err.write(
          `ccguard run: gave up after ${resumes} resume${resumes === 1 ? '' : 's'} (--max-resumes ${o.maxResumes}); session ${stop.sessionId} still waits. Resume it with: ${io.resumeHint(stop.sessionId)}\n`,
        );
        io.notify(
          'ccguard: job gave up',
          `The unattended job in ${basename(cwd)} still waits after ${resumes} resumes (session ${short(stop.sessionId)}); resume it with ${io.resumeHint(stop.sessionId)}.`,
        );
        return last !== 0 ? last : GAVE_UP;
      }
      const what = stop.kind === 'limit' ? 'stopped on the usage limit' : 'was deferred by ccguard (a tool call held)';
      const when =
        stop.holdUntil !== null ? ` at ${fmtAt(stop.holdUntil + PAST_RESET_MS, io.now())}` : ' when the hold is over';
      io.err.write(`ccguard run: session ${stop.sessionId} ${what}; it resumes${when}.\n`);
      io.notify(
        'ccguard: limit reached, job waiting',
        `The unattended job in ${basename(stop.folder ?? cwd)} ${what}; it resumes by itself${when} (session ${short(stop.sessionId)}).`,
      );
      if (!(await io.waitOut(stop))) return 130;
      resumes++;
      cwd = stop.folder ?? cwd;
      command = resumeCommand(o.command, stop.sessionId, stop.kind === 'limit' ? CONTINUE_PROMPT : null);
      io.err.write(`ccguard run: resuming session ${stop.sessionId} (${resumes} of at most ${o.maxResumes})\n`);
      io.notify(
        'ccguard: job resumed',
        `The unattended job in ${basename(cwd)} resumed (session ${short(stop.sessionId)}, resume ${resumes}).`,
      );
    }
    const started = io.now();
    const exit = await io.start(command, cwd, resumes > 0);
    last = exitCode(exit);
    if (io.signal.aborted) return 130;
    stop = await io.stopSince(started, cwd);
    if (!stop) {
      io.notify(
        'ccguard: job finished',
        `The unattended job in ${basename(cwd)} ended with exit code ${last}${resumes > 0 ? ` after ${resumes} resume${resumes === 1 ? '' : 's'}` : ''}.`,
      );
      return last;
    }
  }
}

/** Starts the job with no shell and its stdio passed through; SIGINT and SIGTERM are passed on to it. */
function startJob(
  command: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  resuming: boolean,
  signal: AbortSignal,
): Promise<JobExit> {
  const [file, ...args] = command;
  if (!file) return Promise.reject(new UsageError('needs a command to run (ccguard run -- claude -p "…")'));
  return new Promise<JobExit>((resolve, reject) => {
    // A resumed run has no prompt to read: the job's own stdin was the first run's (a terminal stays).
    const child = spawn(file, args, {
      cwd,
      env,
      stdio: [resuming && !process.stdin.isTTY ? 'ignore' : 'inherit', 'inherit', 'inherit'],
    });
    const pass = (sig: NodeJS.Signals) => (): void => {
      // A terminal's Ctrl-C reaches the job by itself (same process group); a kill of ccguard does not.
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    };
    const onAbort = pass('SIGINT');
    signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (e: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      reject(
        new CcguardError(`could not start ${file}: ${e.code === 'ENOENT' ? 'not found' : e.message}`, { cause: e }),
      );
    });
    child.once('exit', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      resolve({ code, signal: sig });
    });
  });
}

export async function runRun(app: AppContext, argv: string[], _out: Out, err: Out): Promise<number> {
  const { values, rest } = parseCommand(SPECS.run, argv);
  const resumeId = values.resume;
  if (rest.length === 0 && resumeId === undefined)
    throw new UsageError('needs a command to run: ccguard run -- claude -p "…" (or --resume SESSION)');
  // `--resume ID -- --allowedTools Bash`: Claude Code's options alone mean `claude -p` with them.
  const command =
    rest.length === 0
      ? [...DEFAULT_COMMAND]
      : resumeId !== undefined && rest[0]!.startsWith('-')
        ? [...DEFAULT_COMMAND, ...rest]
        : rest;
  const runId = crypto().randomUUID();
  const env = { ...process.env, CCGUARD_RUN_ID: runId };
  const ac = new AbortController();
  const onSignal = (): void => ac.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const cli = ownCli(app.env);
  const logFile = logFilePath(app.paths.stateDir, app.config.logging);
  let from: Stop | undefined;
  if (resumeId !== undefined) {
    await catchUp(app);
    from = waitingEntry(app.store, resumeId) ?? {
      at: 0,
      sessionId: resumeId,
      kind: 'limit',
      folder: null,
      holdUntil: null,
      reason: null,
    };
  }
  try {
    return await supervise(
      { command, cwd: process.cwd(), maxResumes: values['max-resumes'], ...(from ? { from } : {}) },
      {
        now: app.now,
        start: (cmd, cwd, resuming) => startJob(cmd, cwd, env, resuming, ac.signal),
        stopSince: async (since, cwd) => {
          await catchUp(app);
          return stopOf(app.store, runId, cwd, since);
        },
        waitOut: async (stop) => {
          await catchUp(app);
          const r = await waitLoop({
            now: app.now,
            sleep: abortableSleep,
            check: (now) => waitCheck(stopHold(app.store, app.config, app.account, stop, now, PAST_RESET_MS)),
            signal: ac.signal,
            // The job's stdout is its own: everything the wait says goes to stderr.
            out: err,
            err,
            json: false,
            columns: Number.isFinite(err.columns) ? err.columns : undefined,
            plainEveryMs: 60_000,
          });
          return r.code === 0;
        },
        notify: (title, message) => {
          if (app.config.recovery.notification) sendDetached({ title, message, logFile });
        },
        err,
        signal: ac.signal,
        resumeHint: (id) => resumeLine(cli, id),
      },
    );
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
