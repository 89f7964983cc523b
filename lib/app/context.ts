import type { LoadedConfig } from '../config/load.ts';
import { fallbackText, loadConfigCached } from '../config/cached.ts';
import { openStore, type Store } from '../store/store.ts';
import { importRecent, type ImportContext, type ImportStats } from '../transcripts/import.ts';
import { resolvePaths, type Env, type Paths } from '../util/paths.ts';
import { BLOCK_MS } from '../util/blocks.ts';
import { HOUR_MS } from '../util/time.ts';
import type { Config } from '../config/schema.ts';
import { existsSync } from 'node:fs';
import { readerOptionsFor } from '../transcripts/readerThreadOptions.ts';
import { initializedMarker, markInitialized } from '../store/corruption.ts';
import { localTimeZone } from '../util/time.ts';
import { accountOf } from '../util/account.ts';
import { adoptLegacy, transcriptAccounts } from './accounts.ts';

/** What every command needs: where things are, the effective config, and the open state database. */
export interface AppContext {
  env: Env;
  paths: Paths;
  loaded: LoadedConfig;
  config: Config;
  store: Store;
  now: () => number;
  timeZone: () => string;
  /** The account of the environment the command runs in (lib/util/account.ts); `--account` widens it. */
  account: string;
}

export async function openApp(env: Env, now: () => number = Date.now): Promise<AppContext> {
  const paths = resolvePaths(env);
  const loaded = await loadConfigCached(paths.userConfigFile, paths.stateDir);
  // Commands go on with the configuration the hooks enforce with, and say what is wrong.
  if (loaded.problem)
    process.stderr.write(`ccguard: ${loaded.problem.message}; ${fallbackText(loaded.problem)} until it is fixed\n`);
  const store = openStore(paths.dbFile, { now: now() });
  const account = accountOf(env);
  adoptLegacy(store, account, env);
  return { env, paths, loaded, config: loaded.config, store, now, timeZone: localTimeZone(env), account: account.key };
}

/** What an import or a catch-up needs of the context: the hooks have it without a loaded config file. */
export type ImportHost = Pick<AppContext, 'env' | 'paths' | 'config' | 'store' | 'now' | 'timeZone'>;

export function importContext(app: ImportHost): ImportContext {
  return {
    store: app.store,
    roots: app.paths.transcriptRoots,
    prices: app.config.prices,
    timeZone: app.timeZone,
    now: app.now(),
    parallel: () => readerOptionsFor(app.env),
    accountFor: transcriptAccounts(app.store, app.paths.transcriptRoots, app.env),
  };
}

/** The incremental catch-up a read command or a hook does before it answers. */
export async function catchUp(app: ImportHost, files: readonly string[] = []): Promise<ImportStats> {
  const first = !app.store.meta.has('last_scan_at');
  const stats = await importRecent(importContext(app), {
    files,
    hotWindowMs: BLOCK_MS + HOUR_MS,
    rescanMs: app.config.import.rescan_seconds * 1000,
    initialWindowMs: app.config.import.initial_window_hours * HOUR_MS,
    rebuild: first && existsSync(initializedMarker(app.paths.dbFile)),
  });
  if (first) markInitialized(app.paths.dbFile);
  return stats;
}
