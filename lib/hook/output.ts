import type { HookEvent, Verdict } from '../policy/types.ts';

/** Claude Code's own terms for a verdict: JSON on stdout with exit 0, or nothing at all. */
export function renderOutput(hook: HookEvent, v: Verdict, showMessages: boolean): string {
  const user = showMessages ? v.userMessage : null;
  const ctx = showMessages ? v.modelContext : null;
  switch (hook) {
    case 'PreToolUse': {
      if (v.action === 'deny') {
        return JSON.stringify({
          hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: v.reason ?? 'ccguard' },
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
      if (v.action === 'deny') return JSON.stringify({ decision: 'block', reason: v.reason ?? 'ccguard' });
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
