import { HookInputError } from '../util/errors.ts';

/**
 * Claude Code's hook stdin: lenient, unknown fields pass; the fields ccguard reads are checked, by
 * hand (the full check is on the path of a tool call: ARCHITECTURE.md, "zod, and the inputs checked
 * by hand").
 */
export interface HookInput {
  session_id: string;
  hook_event_name: string;
  transcript_path?: string | undefined;
  cwd?: string | undefined;
  tool_name?: string | undefined;
  tool_input?: unknown;
  error?: string | undefined;
  source?: string | undefined;
  reason?: string | undefined;
  duration_ms?: number | undefined;
  prompt?: string | undefined;
  model?: string | undefined;
  notification_type?: string | undefined;
  message?: string | undefined;
  [key: string]: unknown;
}

/** Optional fields: a value of the wrong type is dropped, as if absent. */
const OPTIONAL_STRINGS = [
  'transcript_path',
  'cwd',
  'tool_name',
  'error',
  'source',
  'reason',
  'prompt',
  'model',
  'notification_type',
  'message',
] as const;

export function parseHookInput(text: string): HookInput {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new HookInputError(
      `hook stdin is not JSON (${text.length} bytes, starts ${JSON.stringify(text.slice(0, 20))})`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new HookInputError('hook stdin: (top level) is missing or not the right type');
  const o = raw as Record<string, unknown>;
  for (const k of ['session_id', 'hook_event_name'] as const) {
    const v = o[k];
    if (typeof v !== 'string') throw new HookInputError(`hook stdin: ${k} is missing or not the right type`);
    if (v.length === 0) throw new HookInputError(`hook stdin: ${k} is empty`);
  }
  const out: HookInput = { ...o, session_id: o.session_id as string, hook_event_name: o.hook_event_name as string };
  for (const k of OPTIONAL_STRINGS) if (k in out && typeof out[k] !== 'string') out[k] = undefined;
  if ('duration_ms' in out && (typeof out.duration_ms !== 'number' || !Number.isFinite(out.duration_ms)))
    out.duration_ms = undefined;
  return out;
}
