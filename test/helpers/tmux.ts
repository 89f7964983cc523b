// Drives an interactive program (the real Claude Code UI) inside a detached tmux session, on a private
// tmux server (its own socket), so nothing touches the user's tmux.
//
//   const s = await startTmux({ name: 'cc', cwd: project, env, command: CLAUDE_BIN, args: ['--allowedTools', 'Bash'] });
//   t.after(() => s.kill());
//   await s.waitFor(/for shortcuts|\? for/, 30_000);
//   await s.sendText('hello');
//   await s.waitFor((screen) => screen.includes('done'), 30_000);
//
// Everything goes through execFile (no shell strings). The program runs directly (argv, no shell) with
// exactly the environment given: the private server is started with it, and each variable is also passed
// with `new-session -e`.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { claudeMissingReason, CLAUDE_BIN } from './claude.ts';

let tmuxPath: string | null | undefined;

/** The tmux binary, or null when there is none. */
export function findTmux(): string | null {
  if (tmuxPath !== undefined) return tmuxPath;
  try {
    const out = execFileSync('sh', ['-c', 'command -v tmux'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    tmuxPath = out || null;
  } catch {
    tmuxPath = null;
  }
  return tmuxPath;
}

/** Why tmux cannot be used here, or null. */
export function tmuxMissingReason(): string | null {
  return findTmux() ? null : 'tmux not installed (apt-get install -y tmux)';
}

/** Why the interactive Claude Code UI cannot be driven here (no tmux or no CLI), or null. */
export function interactiveMissingReason(): string | null {
  return claudeMissingReason() ?? tmuxMissingReason();
}

export interface StartTmuxOptions {
  /** Session name (default cc-<random>). */
  name?: string;
  cwd: string;
  /** The program's full environment (undefined values are left out). PATH defaults to the parent's. */
  env: Record<string, string | undefined>;
  /** Program to run (default: the Claude Code CLI). */
  command?: string;
  args?: string[];
  width?: number;
  height?: number;
}

export type ScreenPredicate = RegExp | string | ((screen: string) => boolean);

export interface TmuxSession {
  name: string;
  socket: string;
  /** Types `text` literally (send-keys -l), then presses Enter (unless enter is false). */
  sendText(text: string, opts?: { enter?: boolean }): Promise<void>;
  /** Sends tmux key names (Enter, Escape, Down, C-c, ...). */
  sendKeys(...keys: string[]): Promise<void>;
  /** The visible pane as text (capture-pane -p). With history, the scrollback too. */
  capture(opts?: { history?: boolean }): Promise<string>;
  /** Polls the pane until the predicate holds; returns the screen. Throws with the last screen on timeout. */
  waitFor(pred: ScreenPredicate, timeoutMs: number, what?: string): Promise<string>;
  /** True while the program is running (false once it exited; the pane stays for capture). */
  alive(): Promise<boolean>;
  /** Ends the session and the private tmux server. Safe to call twice. */
  kill(): Promise<void>;
}

function run(tmux: string, socket: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      tmux,
      ['-S', socket, ...args],
      { encoding: 'utf8', env: env ?? process.env, timeout: 15_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`tmux ${args.join(' ')}: ${err.message}${stderr ? `\n${stderr}` : ''}`));
        else resolve(stdout);
      },
    );
  });
}

function matches(pred: ScreenPredicate, screen: string): boolean {
  if (typeof pred === 'string') return screen.includes(pred);
  if (pred instanceof RegExp) return pred.test(screen);
  return pred(screen);
}

/** Starts `command args` in a detached tmux session of width x height (default 200 x 50). */
export async function startTmux(opts: StartTmuxOptions): Promise<TmuxSession> {
  const tmux = findTmux();
  if (!tmux) throw new Error(tmuxMissingReason()!);
  const dir = mkdtempSync(join(tmpdir(), 'ccguard-tmux-'));
  const socket = join(dir, 'sock');
  const conf = join(dir, 'tmux.conf');
  // remain-on-exit: a program that dies leaves its last screen to read. Big history for capture -S -.
  writeFileSync(
    conf,
    'set -g remain-on-exit on\nset -g history-limit 20000\nset -g status off\nset -g escape-time 10\n',
  );
  const name = opts.name ?? `cc-${Math.random().toString(36).slice(2, 8)}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
  };
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
  // The server inherits the environment of the command that starts it: no TMUX (we may run inside tmux).
  delete env.TMUX;
  const eFlags = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  await run(
    tmux,
    socket,
    [
      '-f',
      conf,
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(opts.width ?? 200),
      '-y',
      String(opts.height ?? 50),
      '-c',
      opts.cwd,
      ...eFlags,
      '--',
      opts.command ?? CLAUDE_BIN,
      ...(opts.args ?? []),
    ],
    env,
  );
  let killed = false;
  const target = `${name}:0.0`;
  const session: TmuxSession = {
    name,
    socket,
    async sendText(text, o) {
      await run(tmux, socket, ['send-keys', '-t', target, '-l', text]);
      if (o?.enter !== false) {
        // The UI treats a fast Enter right after pasted text as part of the paste on some versions.
        await sleep(300);
        await run(tmux, socket, ['send-keys', '-t', target, 'Enter']);
      }
    },
    async sendKeys(...keys) {
      await run(tmux, socket, ['send-keys', '-t', target, ...keys]);
    },
    async capture(o) {
      try {
        return await run(tmux, socket, ['capture-pane', '-p', '-J', '-t', target, ...(o?.history ? ['-S', '-'] : [])]);
      } catch (e) {
        return `<capture failed: ${(e as Error).message}>`;
      }
    },
    async waitFor(pred, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      let screen: string;
      for (;;) {
        screen = await session.capture();
        if (matches(pred, screen)) return screen;
        if (Date.now() > deadline) {
          const desc = what ?? (pred instanceof RegExp || typeof pred === 'string' ? String(pred) : 'predicate');
          throw new Error(`tmux: timed out after ${timeoutMs} ms waiting for ${desc}; screen:\n${screen}`);
        }
        await sleep(250);
      }
    },
    async alive() {
      try {
        const out = await run(tmux, socket, ['display-message', '-p', '-t', target, '#{pane_dead}']);
        return out.trim() === '0';
      } catch {
        return false;
      }
    },
    async kill() {
      if (killed) return;
      killed = true;
      // The program runs as the pane's process, leader of its own process group (tmux setsid's it).
      let pid = 0;
      try {
        pid = Number((await run(tmux, socket, ['display-message', '-p', '-t', target, '#{pane_pid}'])).trim()) || 0;
      } catch {
        /* no pane */
      }
      try {
        // kill-server ends our private server only (it is addressed by its own socket); the pane's
        // process gets SIGHUP.
        await run(tmux, socket, ['kill-server']);
      } catch {
        /* already gone */
      }
      // Wait until it is gone (it may still be writing its config and transcripts), then make sure of it
      // and of whatever it started (hooks, the status line command).
      if (pid > 0) {
        const gone = () => {
          try {
            process.kill(pid, 0);
            return false;
          } catch {
            return true;
          }
        };
        const deadline = Date.now() + 5_000;
        while (!gone() && Date.now() < deadline) await sleep(100);
        for (const target of gone() ? [-pid] : [-pid, pid]) {
          try {
            process.kill(target, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        await sleep(200);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return session;
}

/** Starts the Claude Code CLI interactively in tmux (see startTmux). */
export function startTmuxClaude(opts: Omit<StartTmuxOptions, 'command'>): Promise<TmuxSession> {
  return startTmux({ ...opts, command: CLAUDE_BIN });
}

/** The interactive UI (2.1.x) is up and its input box (the ❯ prompt between two rules) is drawn. */
export const CLAUDE_READY = /Claude Code v[\d.]+[\s\S]*─{20,}\s*\n\s*[❯>]/;
