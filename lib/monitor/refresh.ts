// The detached refresh a hook starts (dist/lib/monitor/refresh.js <lock owner>): reads claude-monitor's
// state file or runs it once with its timeout, validates and stores the answer, and releases the lock
// (lib/store/detachedRefresh.ts).
import { runDetachedRefresh } from '../store/detachedRefresh.ts';
import { monitorSettings } from './settings.ts';
import { refreshMonitor } from './run.ts';

const owner = process.argv[2] ?? '';
await runDetachedRefresh({
  failed: 'claude-monitor refresh failed',
  run: async (store, config, log) => {
    const s = monitorSettings(config, process.env);
    if (!s) return;
    // Whatever hangs, this process goes away soon after the run's own timeout (the lock expires too).
    setTimeout(() => process.exit(0), s.timeoutMs + 10_000).unref();
    await refreshMonitor(store.monitorCache, s, process.env, log);
  },
  release: (store) => store.monitorCache.releaseRefresh(owner),
});
process.exit(0);
