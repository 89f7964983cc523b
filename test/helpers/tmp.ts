import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** A temporary HOME with Claude Code's folders; removed by `cleanup`. */
export function tmpHome(prefix = 'ccguard-'): { home: string; projects: string; stateDir: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return {
    home,
    projects: join(home, '.claude', 'projects'),
    stateDir: join(home, '.claude', 'ccguard'),
    cleanup: () => removeTree(home),
  };
}
