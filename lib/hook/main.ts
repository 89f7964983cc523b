import { readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { runHook } from './run.ts';
import { MAX_STDIN } from './input.ts';
import type { HookEvent } from '../policy/types.ts';
import { sendDetached } from '../notify/send.ts';

/** Reads at most MAX_STDIN bytes; says whether there was more. */
export function readStdinBounded(fd = 0): { text: string; truncated: boolean } {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.allocUnsafe(65536);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF') break;
      throw err;
    }
    if (n <= 0) break;
    if (total + n > MAX_STDIN) {
      chunks.push(Buffer.from(buf.subarray(0, MAX_STDIN - total)));
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(Buffer.from(buf.subarray(0, n)));
    total += n;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

/**
 * Past the cap, the fields ccguard needs still stand at the start of Claude Code's JSON (the large
 * tool_input comes after them): keep those and drop the rest.
 */
export function salvage(text: string): string {
  const out: Record<string, string> = {};
  for (const k of ['session_id', 'transcript_path', 'cwd', 'hook_event_name', 'tool_name']) {
    const m = new RegExp(`"${k}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(text);
    if (m?.[1] !== undefined) out[k] = JSON.parse(`"${m[1]}"`) as string;
  }
  return JSON.stringify(out);
}

/** The whole life of a hook process: stdin in, verdict out, exit 0. */
export async function hookMain(event: HookEvent): Promise<void> {
  let stdout = '';
  try {
    const { text, truncated } = readStdinBounded();
    const res = await runHook(event, truncated ? salvage(text) : text, process.env, {
      now: Date.now,
      sleep: (ms) => sleep(ms),
      notify: (n) => void sendDetached(n),
    });
    stdout = res.stdout;
  } catch {
    // runHook already fails open; this is the last guard against anything escaping it.
    stdout = '';
  }
  if (stdout) process.stdout.write(stdout + '\n');
  process.exitCode = 0;
}
