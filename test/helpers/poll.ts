import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `fn` every `intervalMs` until it returns a truthy value (returned) or `timeoutMs` passes
 * (undefined is returned: the caller asserts, with its own message).
 */
export async function waitUntil<T>(
  fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() >= deadline) return undefined;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** Sleeps until the wall clock reaches `ms` (epoch ms). */
export async function sleepUntil(ms: number): Promise<void> {
  const d = ms - Date.now();
  if (d > 0) await sleep(d);
}
