import type { LoadedConfig } from '../config/load.ts';
import { fallbackText, loadConfigCached } from '../config/cached.ts';
import { openStore, type Store } from '../store/store.ts';
import { importRecent, type ImportContext, type ImportStats } from '../transcripts/import.ts';
import { resolvePaths, type Env, type Paths } from '../util/paths.ts';
import { HOUR_MS, BLOCK_MS } from '../usage/blocks.ts';
import type { Config } from '../config/schema.ts';
import { existsSync } from 'node:fs';
import { readerOptionsFor } from '../transcripts/readerOptions.ts';
import { initializedMarker, markInitialized } from '../store/recover.ts';
import { localTimeZone } from '../util/timeZone.ts';

/** What every command needs: where things are, the effective config, and the open state database. */
export interface AppContext {
  env: Env;
  paths: Paths;
  loaded: LoadedConfig;
  config: Config;
  store: Store;
  now: () => number;
  timeZone: () => string;
}

export async function openApp(env: Env, now: () => number = Date.now): Promise<AppContext> {
  const paths = resolvePaths(env);
  const loaded = await loadConfigCached(paths.userConfigFile, paths.stateDir);
  // Commands go on with the configuration the hooks enforce with, and say what is wrong.
  if (loaded.problem) process.stderr.write(`ccguard: ${loaded.problem.message}; ${fallbackText(loaded.problem)} until it is fixed\n`);
  const store = openStore(paths.dbFile, { now: now() });
  return { env, paths, loaded, config: loaded.config, store, now, timeZone: localTimeZone(env) };
}

export function importContext(app: AppContext): ImportContext {
  return {
    store: app.store,
    roots: app.paths.transcriptRoots,
    prices: app.config.prices,
    timeZone: app.timeZone,
    now: app.now(),
    parallel: () => readerOptionsFor(app.env),
  };
}
/** The incremental catch-up a read command does before it answers. */
export async function catchUp(app: AppContext, files: readonly string[] = []): Promise<ImportStats> {
  const first = app.store.meta.get('last_scan_at') === undefined;
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
