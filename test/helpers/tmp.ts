import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/**
 * Removes a test's temporary folder even while detached children it started (a claude-monitor or
 * usage-endpoint refresh, a notifier, a hook Claude Code left running) are still writing in it. The
 * folder is first renamed aside, so a late writer's path no longer leads into what is being removed;
 * the removal retries on ENOTEMPTY; a path recreated meanwhile is removed too. What still cannot go
 * is reported, never thrown: the test's verdict is its assertions, not the cleanup's timing.
 */
export function removeTree(dir: string): void {
  let target = `${dir}.removing-${process.pid}-${Date.now()}`;
  try {
    renameSync(dir, target);
  } catch {
    target = dir;
  }
  for (const p of target === dir ? [dir] : [target, dir]) {
    try {
      rmSync(p, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
    } catch (err) {
      process.stderr.write(`test cleanup: could not remove ${p}: ${(err as Error).message}\n`);
    }
  }
  // A child that recreated the original path after the rename: once more, and what it still writes
  // there is reported like the rest (a later cleanup, once it has exited, takes it).
  if (existsSync(dir)) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
    } catch (err) {
      process.stderr.write(`test cleanup: could not remove ${dir}: ${(err as Error).message}\n`);
    }
  }
}

export interface TmpHome {
  home: string;
  projects: string;
  stateDir: string;
  cleanup: () => void;
}

/**
 * A temporary HOME with Claude Code's folders. Given the test's context, it is removed when the test
 * ends (`t.after`); otherwise the caller calls `cleanup`. Node runs a test's `after` hooks in the order
 * they were registered, not in reverse, so whatever must end before the folder goes (a store opened in
 * it) is ended in the same hook, before `cleanup`, not in a later one.
 */
export function tmpHome(prefix?: string): TmpHome;
export function tmpHome(t: TestContext, prefix?: string): TmpHome;
export function tmpHome(a?: TestContext | string, b?: string): TmpHome {
  const t = typeof a === 'object' ? a : undefined;
  const prefix = (typeof a === 'string' ? a : b) ?? 'ccguard-';
  const home = mkdtempSync(join(tmpdir(), prefix));
  const cleanup = (): void => removeTree(home);
  t?.after(cleanup);
  return {
    home,
    projects: join(home, '.claude', 'projects'),
    stateDir: join(home, '.claude', 'ccguard'),
    cleanup,
  };
}

/** A temporary folder, removed when the test ends. */
export function tmpDir(t: TestContext, prefix = 'ccguard-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => removeTree(dir));
  return dir;
}
