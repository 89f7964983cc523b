import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { childProcess } from '../util/builtins.ts';

export interface ChainResult {
  stdout: Buffer;
  stderr: Buffer;
  code: number | null;
  timedOut: boolean;
  /** Set when the shell could not be started at all. */
  error?: string;
}

/**
 * Runs the user's own status line command with the same stdin Claude Code gave ccguard.
 *
 * The one place ccguard runs something through a shell, on purpose: a status line `command` is a
 * shell command string by Claude Code's design, so it runs exactly as Claude Code would run it,
 * `/bin/sh -c <command>`. It gets its own process group, so on timeout the whole group (the shell
 * and anything it started) is killed.
 */
export function runChained(
  command: string,
  input: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChainResult> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    let timedOut = false;
    let settled = false;
    const finish = (code: number | null, error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(hard);
      // Whatever still holds the pipes must not keep ccguard (and Claude Code's status line) waiting.
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      resolve({
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(errOut),
        code,
        timedOut,
        ...(error ? { error } : {}),
      });
    };
    let child: ChildProcessWithoutNullStreams;
    try {
      child = childProcess().spawn('/bin/sh', ['-c', command], {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        env,
      });
    } catch (e) {
      resolve({
        stdout: Buffer.alloc(0),
        stderr: Buffer.alloc(0),
        code: null,
        timedOut: false,
        error: (e as Error).message,
      });
      return;
    }
    const pid = child.pid;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (pid !== undefined) process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    // Something that left the group may hold the pipes open: stop waiting for it shortly after.
    const hard = setTimeout(() => finish(null), timeoutMs + 500);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => errOut.push(d));
    child.on('error', (e) => finish(null, e.message));
    child.on('close', (code) => finish(code));
    child.stdin.on('error', () => undefined); // a command that does not read its stdin
    child.stdin.end(input);
  });
}
