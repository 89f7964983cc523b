import { z } from 'zod';
import { HookInputError } from '../util/errors.ts';

/** Claude Code's hook stdin: lenient, unknown fields pass; the fields ccguard reads are checked. */
export const HookInputSchema = z.looseObject({
  session_id: z.string().min(1),
  hook_event_name: z.string().min(1),
  transcript_path: z.string().optional().catch(undefined),
  cwd: z.string().optional().catch(undefined),
  tool_name: z.string().optional().catch(undefined),
  tool_input: z.unknown().optional(),
  error: z.string().optional().catch(undefined),
  source: z.string().optional().catch(undefined),
  reason: z.string().optional().catch(undefined),
  duration_ms: z.number().optional().catch(undefined),
  prompt: z.string().optional().catch(undefined),
  model: z.string().optional().catch(undefined),
  notification_type: z.string().optional().catch(undefined),
  message: z.string().optional().catch(undefined),
});
export type HookInput = z.infer<typeof HookInputSchema>;

export function parseHookInput(text: string): HookInput {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new HookInputError(`hook stdin is not JSON (${text.length} bytes, starts ${JSON.stringify(text.slice(0, 20))})`);
  }
  const r = HookInputSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    const key = i?.path.map(String).join('.') || '(top level)';
    throw new HookInputError(`hook stdin: ${key} ${i?.code === 'invalid_type' ? 'is missing or not the right type' : i?.message ?? 'is invalid'}`);
  }
  return r.data;
}
