import { setTimeout as sleep } from 'node:timers/promises';
import { runHook } from './run.ts';
import type { HookEvent } from '../policy/types.ts';
import { sendDetached } from '../notify/send.ts';

/** The full check: loaded only when the fast path cannot answer. */
export async function runFull(event: HookEvent, stdin: string): Promise<string> {
  const res = await runHook(event, stdin, process.env, {
    now: Date.now,
    sleep: (ms) => sleep(ms),
    notify: (n) => void sendDetached(n),
  });
  return res.stdout;
}
