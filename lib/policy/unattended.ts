// When no one is at the keyboard (a headless `claude -p`, CI, the Agent SDK), a deny is the wrong
// answer to a hold: the model is told the tool failed, improvises or gives up, and nothing restarts
// the run. Claude Code lets a PreToolUse hook answer `defer` instead: a headless run then ends at once
// with `stop_reason: "tool_deferred"`, the tool not run, and `claude -p --resume <id>` later sends the
// same call through PreToolUse again. This module is the one rule that picks between the two.
import type { HookEvent, Verdict } from './types.ts';

/** A hold ending within this of the sleep limit is slept through to just past its end, never to it. */
const PAST_END_MS = 1000;

/**
 * Whether the session has no one attending it, from the environment Claude Code gives its hooks
 * (2.1.330: `CLAUDE_CODE_SESSION_ATTENDED=0` and `CLAUDE_CODE_ENTRYPOINT=sdk-cli` in `claude -p`,
 * `1` and `cli` in the interactive UI). Without the first (older versions), an SDK entrypoint says it.
 */
export function isUnattended(env: Readonly<Record<string, string | undefined>>): boolean {
  const attended = env.CLAUDE_CODE_SESSION_ATTENDED;
  if (attended === '0') return true;
  if (attended !== undefined && attended !== '') return false;
  return (env.CLAUDE_CODE_ENTRYPOINT ?? '').startsWith('sdk-');
}

/**
 * The verdict for an unattended session: a tool call held for longer than `maxSleepMs` is deferred
 * (the same reason text), a shorter hold is slept through to just past its end and then allowed.
 * Anything else (an allow, a delay, a prompt, a tool turned off by the cost degradation, an attended
 * session) is returned unchanged: interactive sessions keep their deny.
 */
export function forUnattended(
  v: Verdict,
  hook: HookEvent,
  unattended: boolean,
  now: number,
  maxSleepMs: number,
): Verdict {
  if (!unattended || hook !== 'PreToolUse' || v.action !== 'deny' || v.holdUntil === undefined) return v;
  const wait = v.holdUntil === null ? Number.POSITIVE_INFINITY : Math.max(0, v.holdUntil - now) + PAST_END_MS;
  if (wait <= maxSleepMs) return { ...v, action: 'delay', sleepMs: wait };
  return { ...v, action: 'defer', sleepMs: 0 };
}
