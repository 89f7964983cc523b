// The detached usage-endpoint refresh a hook starts (dist/lib/usage/usageApiRefresh.js <lock owner>):
// reads Claude Code's token, asks the endpoint once, stores the readings or the failure, and releases
// the lock. Never talks to the hook that started it; whatever happens goes to the database and the log.
import { existsSync } from 'node:fs';
import { loadConfigCached } from '../config/cached.ts';
import { openStore, type Store } from '../store/store.ts';
import { Logger, configuredLogger } from '../util/log.ts';
import { resolvePaths } from '../util/paths.ts';
import { oneLine } from '../util/errors.ts';
import { recordRefreshError, refreshUsageApi } from './usageApi.ts';
import { LOCK_MS } from './usageApiTrigger.ts';
import { accountOf } from '../util/account.ts';

async function main(owner: string): Promise<void> {
  const paths = resolvePaths(process.env);
  // The hook that started this made the database; without it (state removed meanwhile) there is nothing to do.
  if (!existsSync(paths.dbFile)) return;
  // Whatever hangs (a Keychain prompt, a stalled answer), this process is gone before its lock expires.
  setTimeout(() => process.exit(0), LOCK_MS).unref();
  let store: Store | undefined;
  let log: Logger | undefined;
  try {
    const config = (await loadConfigCached(paths.userConfigFile, paths.stateDir)).config;
    log = configuredLogger(paths.stateDir, config.logging);
    store = openStore(paths.dbFile);
    await refreshUsageApi(store, config, process.env, log);
  } catch (e) {
    // The message is ccguard's or SQLite's own: the token is never part of one.
    log?.warn(`usage endpoint refresh failed: ${oneLine(e)}`);
    try {
      if (store) recordRefreshError(store, process.env, Date.now(), e);
    } catch {
      // the next hook tries again
    }
  } finally {
    try {
      if (!store && existsSync(paths.dbFile)) store = openStore(paths.dbFile);
      if (store) store.usageApiOf(accountOf(process.env).key).releaseRefresh(owner);
    } catch {
      // the lock expires on its own
    }
    store?.close();
  }
}

await main(process.argv[2] ?? '');
process.exit(0);
