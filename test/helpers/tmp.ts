import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary HOME with Claude Code's folders; removed by `cleanup`. */
export function tmpHome(prefix = 'ccguard-'): { home: string; projects: string; stateDir: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return {
    home,
    projects: join(home, '.claude', 'projects'),
    stateDir: join(home, '.claude', 'ccguard'),
    // Detached children a test started (a claude-monitor refresh, a notifier) may still be closing
    // files in there: retry rather than fail on ENOTEMPTY.
    cleanup: () => rmSync(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }),
  };
}
