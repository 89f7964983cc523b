// What the detached refreshes a hook starts (claude-monitor's, lib/monitor/refresh.ts, and the usage
// endpoint's, lib/usage/usageApiRefresh.ts) share: open the state the hook made, do the one job, log a
// failure, and release the lock whatever happened. They never talk to the hook that started them.
import { existsSync } from 'node:fs';
import { loadConfigCached } from '../config/cached.ts';
import type { Config } from '../config/schema.ts';
import { openStore, type Store } from './store.ts';
import { Logger, configuredLogger } from '../util/log.ts';
import { resolvePaths } from '../util/paths.ts';
import { oneLine } from '../util/errors.ts';

export interface DetachedRefresh {
  /** The log's words for a failure: "claude-monitor refresh failed". */
  failed: string;
  /** Whatever hangs, the process is gone by then (the lock expires too); a job may set a later one itself. */
  exitAfterMs?: number;
  run(store: Store, config: Config, log: Logger): Promise<void>;
  /** After a failure, with the store open. */
  recordFailure?(store: Store, err: unknown): void;
  release(store: Store): void;
}

export async function runDetachedRefresh(job: DetachedRefresh): Promise<void> {
  const paths = resolvePaths(process.env);
  // The hook that started this made the database; without it (state removed meanwhile) there is nothing to do.
  if (!existsSync(paths.dbFile)) return;
  if (job.exitAfterMs !== undefined) setTimeout(() => process.exit(0), job.exitAfterMs).unref();
  let store: Store | undefined;
  let log: Logger | undefined;
  try {
    const config = (await loadConfigCached(paths.userConfigFile, paths.stateDir)).config;
    log = configuredLogger(paths.stateDir, config.logging);
    store = openStore(paths.dbFile);
    await job.run(store, config, log);
  } catch (e) {
    // The message is ccguard's or SQLite's own: no credential is ever part of one.
    log?.warn(`${job.failed}: ${oneLine(e)}`);
    try {
      if (store) job.recordFailure?.(store, e);
    } catch {
      // the next hook tries again
    }
  } finally {
    try {
      if (!store && existsSync(paths.dbFile)) store = openStore(paths.dbFile);
      if (store) job.release(store);
    } catch {
      // the lock expires on its own
    }
    store?.close();
  }
}
