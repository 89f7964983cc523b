// The detached refresh a hook starts (dist/lib/monitor/refresh.js <lock owner>): reads claude-monitor's
// state file or runs it once with its timeout, validates and stores the answer, and releases the lock.
// Never talks to the hook that started it; whatever happens goes to the database and the log.
import { existsSync } from 'node:fs';
import { loadConfigCached } from '../config/cached.ts';
import { openStore, type Store } from '../store/store.ts';
import { Logger, configuredLogger } from '../util/log.ts';
import { resolvePaths } from '../util/paths.ts';
import { oneLine } from '../util/errors.ts';
import { monitorSettings } from './settings.ts';
import { refreshMonitor } from './run.ts';

async function main(owner: string): Promise<void> {
  const paths = resolvePaths(process.env);
  // The hook that started this made the database; without it (state removed meanwhile) there is nothing to do.
  if (!existsSync(paths.dbFile)) return;
  let store: Store | undefined;
  let log: Logger | undefined;
  try {
    const config = (await loadConfigCached(paths.userConfigFile, paths.stateDir)).config;
    log = configuredLogger(paths.stateDir, config.logging);
    store = openStore(paths.dbFile);
    const s = monitorSettings(config, process.env);
    if (s) {
      // Whatever hangs, this process goes away soon after the run's own timeout (the lock expires too).
      setTimeout(() => process.exit(0), s.timeoutMs + 10_000).unref();
      await refreshMonitor(store.monitorCache, s, process.env, log);
    }
  } catch (e) {
    log?.warn(`claude-monitor refresh failed: ${oneLine(e)}`);
  } finally {
    try {
      if (!store && existsSync(paths.dbFile)) store = openStore(paths.dbFile);
      if (store) store.monitorCache.releaseRefresh(owner);
    } catch {
      // the lock expires on its own
    }
    store?.close();
  }
}

await main(process.argv[2] ?? '');
process.exit(0);
