import { join } from 'node:path';
import type { HookEvent } from '../policy/types.ts';

/**
 * The command strings ccguard writes into Claude Code's settings, and how it knows them again.
 *
 * Claude Code runs a hook's (and the status line's) `command` through a shell, so every path is
 * double-quoted with `"`, `\`, `$` and backtick escaped: a home directory with a space (or a quote)
 * in it still names one argument.
 *
 * Recognition rule: a command is ccguard's when it carries the standalone marker argument
 * `--ccguard` AND names a bundled ccguard entry point: `/dist/hooks/` for hooks, or
 * `/dist/lib/cli/main.js` followed by the `statusline` argument for the status line. The marker is
 * what makes it ccguard's (other packages may well ship a `dist/hooks/pre-tool-use.js`); the path
 * part keeps a stray `--ccguard` in somebody else's command from matching. Nothing depends on where
 * the package lives, so entries written from a checkout, a global install or the copy under the
 * state directory are all recognised, and a moved or deleted package can still be uninstalled.
 * The hooks and the CLI ignore the marker argument.
 */
export const MARKER = '--ccguard';

/** The bundled file (under dist/hooks/) each event runs. */
export const EVENT_FILES: Readonly<Record<HookEvent, string>> = {
  PreToolUse: 'pre-tool-use',
  PostToolUse: 'post-tool-use',
  UserPromptSubmit: 'user-prompt-submit',
  Stop: 'stop',
  StopFailure: 'stop-failure',
  SubagentStop: 'subagent-stop',
  SessionStart: 'session-start',
  SessionEnd: 'session-end',
  Notification: 'notification',
};

/** Events whose matcher groups carry a `matcher` (tool names); ccguard's groups use "*". */
export const MATCHER_EVENTS: ReadonlySet<HookEvent> = new Set<HookEvent>(['PreToolUse', 'PostToolUse']);

/**
 * Events whose groups Claude Code filters by their `matcher`: the tool events by tool name, Notification
 * by `notification_type`. ccguard's entry there must sit in a group that matches everything (no matcher,
 * "" or "*"), or it misses some of the event. ccguard writes "*" for the tool events (MATCHER_EVENTS) and
 * no matcher for Notification, as for Stop: a missing matcher matches every notification type.
 */
export const FILTERED_EVENTS: ReadonlySet<HookEvent> = new Set<HookEvent>([...MATCHER_EVENTS, 'Notification']);

/**
 * The events whose hook may sleep (up to recovery.max_sleep_seconds) to slow Claude Code down: the
 * two evaluate() gates. PreToolUse sleeps for pacing and backoff; UserPromptSubmit for backoff, and
 * Claude Code gives it only 30 s when its entry names no timeout. Every other event is decided
 * without a sleep.
 */
export const SLEEPING_EVENTS: ReadonlySet<HookEvent> = new Set<HookEvent>(['PreToolUse', 'UserPromptSubmit']);

/** What a hook needs beyond its sleep: start-up, the database, a first import of a short window. */
export const HOOK_MARGIN_SECONDS = 30;
/** The least timeout ccguard writes: what every hook had before timeouts followed the config. */
export const MIN_HOOK_TIMEOUT = 60;

/**
 * The timeout (seconds) ccguard writes on an event's hook: for the events that may sleep, the
 * longest sleep plus the margin, at least a minute; the others a minute, so a hook that hangs
 * (a locked database) holds a session up no longer than that.
 */
export function hookTimeout(event: HookEvent, maxSleepSeconds: number): number {
  if (!SLEEPING_EVENTS.has(event)) return MIN_HOOK_TIMEOUT;
  return Math.max(MIN_HOOK_TIMEOUT, Math.ceil(maxSleepSeconds) + HOOK_MARGIN_SECONDS);
}

/** One argument for a POSIX shell: double quotes, with the four characters special inside them escaped. */
export function shQuote(s: string): string {
  return `"${s.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
}

/**
 * Splits a command string written in ccguard's own style (bare words and double-quoted arguments
 * with backslash escapes) back into arguments. Not a shell parser: anything else yields null.
 */
export function splitOwnCommand(cmd: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < cmd.length) {
    const c = cmd[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= cmd.length) return null;
        const d = cmd[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < cmd.length && '"\\$`'.includes(cmd[i + 1]!)) {
          s += cmd[i + 1]!;
          i += 2;
          continue;
        }
        s += d;
        i++;
      }
      out.push(s);
      continue;
    }
    const m = /^[^\s"'\\$`;&|<>()]+/.exec(cmd.slice(i));
    if (!m) return null;
    out.push(m[0]);
    i += m[0].length;
  }
  return out;
}

export function hookScript(root: string, event: HookEvent): string {
  return join(root, 'dist', 'hooks', `${EVENT_FILES[event]}.js`);
}

export function cliScript(root: string): string {
  return join(root, 'dist', 'lib', 'cli', 'main.js');
}

/** `"<node>" "<root>/dist/hooks/<event>.js" --ccguard` */
export function hookCommand(nodePath: string, root: string, event: HookEvent): string {
  return `${shQuote(nodePath)} ${shQuote(hookScript(root, event))} ${MARKER}`;
}

/** `"<node>" "<root>/dist/lib/cli/main.js" statusline --ccguard [--then "<the user's own status line command>"]` */
export function statusLineCommand(nodePath: string, root: string, then?: string): string {
  const base = `${shQuote(nodePath)} ${shQuote(cliScript(root))} statusline ${MARKER}`;
  return then === undefined ? base : `${base} --then ${shQuote(then)}`;
}

const hasMarker = (cmd: string): boolean => /(^|\s)--ccguard(\s|$)/.test(cmd);

export function isCcguardHookCommand(cmd: string): boolean {
  return cmd.includes('/dist/hooks/') && hasMarker(cmd);
}

export function isCcguardStatusLineCommand(cmd: string): boolean {
  return /\/dist\/lib\/cli\/main\.js"?\s+statusline(\s|$)/.test(cmd) && hasMarker(cmd);
}

/** The user's own status line command that a ccguard status line command chains to, if any. */
export function chainedCommand(cmd: string): string | undefined {
  const args = splitOwnCommand(cmd);
  if (!args) return undefined;
  const i = args.indexOf('--then');
  return i >= 0 ? args[i + 1] : undefined;
}
