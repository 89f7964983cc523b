import type { HookEvent, Notice, RecoveryState, UsageView, Verdict } from '../policy/types.ts';
import type { EventRow } from '../store/events.ts';
import type { HookInput } from './input.ts';

/** Claude Code's own terms for a verdict: JSON on stdout with exit 0, or nothing at all. */
export function renderOutput(hook: HookEvent, v: Verdict, showMessages: boolean): string {
  const user = showMessages ? v.userMessage : null;
  const ctx = showMessages ? v.modelContext : null;
  switch (hook) {
    case 'PreToolUse': {
      if (v.action === 'deny' || v.action === 'defer') {
        // `defer` (unattended sessions only, lib/policy/unattended.ts) ends a headless run with the
        // call unrun, to be sent through this hook again when the session is resumed.
        return JSON.stringify({
          hookSpecificOutput: {
            hookEventName: 'PreToolUse',
            permissionDecision: v.action,
            permissionDecisionReason: v.reason ?? 'ccguard',
          },
        });
      }
      // An allow never sets permissionDecision: that would skip the user's own permission prompts.
      if (!user && !ctx) return '';
      return JSON.stringify({
        ...(user ? { systemMessage: user } : {}),
        ...(ctx ? { hookSpecificOutput: { hookEventName: 'PreToolUse', additionalContext: ctx } } : {}),
      });
    }
    case 'UserPromptSubmit': {
      if (v.action === 'deny' || v.action === 'defer')
        return JSON.stringify({ decision: 'block', reason: v.reason ?? 'ccguard' });
      if (!user && !ctx) return '';
      return JSON.stringify({
        ...(user ? { systemMessage: user } : {}),
        ...(ctx ? { hookSpecificOutput: { hookEventName: 'UserPromptSubmit', additionalContext: ctx } } : {}),
      });
    }
    case 'SessionStart': {
      if (!ctx && !user) return '';
      return JSON.stringify({
        ...(user ? { systemMessage: user } : {}),
        ...(ctx ? { hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: ctx } } : {}),
      });
    }
    case 'PostToolUse':
    case 'Stop':
    case 'SubagentStop':
    case 'StopFailure':
    case 'SessionEnd':
    case 'Notification':
      return user ? JSON.stringify({ systemMessage: user }) : '';
    default: {
      const never: never = hook;
      throw new Error(`unknown hook ${String(never)}`);
    }
  }
}

/** How a run is named in the events table. */
export function decisionName(event: HookEvent, input: HookInput, v: Verdict, show: boolean): string {
  if (event === 'Notification' && input.notification_type === 'quota_auto_resume_fired') return 'auto_resume';
  if (v.action !== 'allow') return v.action;
  if ((v.userMessage || v.modelContext) && show) return 'warn';
  return event === 'PreToolUse' || event === 'UserPromptSubmit' ? 'allow' : 'record';
}

/** The events row of one full check. */
export function decisionEvent(r: {
  event: HookEvent;
  input: HookInput;
  verdict: Verdict;
  usage: UsageView;
  show: boolean;
  now: number;
  durationMs: number;
  keepToolInput: boolean;
  /** The `ccguard run` job this session runs under (CCGUARD_RUN_ID), recorded with a deferral. */
  runId?: string | null;
}): EventRow {
  const { event, input, verdict: v, usage } = r;
  const decision = decisionName(event, input, v, r.show);
  return {
    ts: r.now,
    session_id: input.session_id,
    hook: event,
    tool: input.tool_name ?? null,
    decision,
    state: v.state,
    reason:
      decision === 'auto_resume'
        ? `quota_auto_resume_fired: Claude Code continues by itself after the limit reset (${input.message ?? 'no message'})`
        : (v.reason ?? (r.show ? v.userMessage : null)),
    source: usage.weekly ? `${usage.source}+${usage.weekly.source}` : usage.source,
    sleep_ms: v.sleepMs,
    duration_ms: Math.round(r.durationMs * 100) / 100,
    detail: eventDetail(event, input, r.keepToolInput, v, r.runId ?? null),
  };
}

/** The events row of a notification sent. */
export function noticeEvent(event: HookEvent, session: string, state: RecoveryState, n: Notice, now: number): EventRow {
  return {
    ts: now,
    session_id: session,
    hook: event,
    tool: null,
    decision: 'notify',
    state,
    reason: `${n.title}: ${n.message}`,
    source: null,
    sleep_ms: 0,
    duration_ms: null,
    detail: null,
  };
}

/**
 * What an event keeps beyond decision and timing. Prompts, tool inputs and outputs stay out unless the
 * user asked for tool inputs (`privacy.store_tool_input`), and then only the first 4 KB of each.
 */
function eventDetail(
  event: HookEvent,
  input: HookInput,
  keepToolInput: boolean,
  v: Verdict,
  runId: string | null,
): string | null {
  const d: Record<string, unknown> = {};
  if (v.action === 'defer') {
    // What `ccguard status` lists and `ccguard run --resume` needs: the folder to resume in, the call
    // that waits (by name and id, never its input unless kept below) and when its hold ends.
    d.cwd = input.cwd ?? null;
    d.tool_use_id = typeof input.tool_use_id === 'string' ? input.tool_use_id : null;
    d.hold_until = v.holdUntil ?? null;
    if (runId) d.run = runId;
  }
  if (event === 'StopFailure' && input.error) d.error = input.error;
  if (event === 'Notification' && input.notification_type) d.notification_type = input.notification_type;
  if (keepToolInput && event === 'PreToolUse' && input.tool_input !== undefined) {
    const text = JSON.stringify(input.tool_input) ?? '';
    d.tool_input = text.length > 4096 ? `${text.slice(0, 4096)}…` : text;
  }
  return Object.keys(d).length > 0 ? JSON.stringify(d) : null;
}
