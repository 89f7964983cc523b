import { readSync } from 'node:fs';

/** The most stdin a hook reads: tool inputs can be large, and none of it is needed past this. */
export const MAX_STDIN = 4 * 1024 * 1024;

/** Reads at most MAX_STDIN bytes; says whether there was more. */
export function readStdinBounded(fd = 0, max = MAX_STDIN): { text: string; truncated: boolean } {
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
    if (total + n > max) {
      chunks.push(Buffer.from(buf.subarray(0, max - total)));
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
    if (m?.[1] !== undefined) {
      try {
        out[k] = JSON.parse(`"${m[1]}"`) as string;
      } catch {
        // an escape cut in half: leave the field out
      }
    }
  }
  return JSON.stringify(out);
}
