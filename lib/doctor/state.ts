// The state directory and the config as doctor sees them when the state cannot be opened at all.
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Check } from './checks.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { Paths } from '../util/paths.ts';
import { ConfigError, oneLine } from '../util/errors.ts';
import { NoSqliteError } from '../store/driver.ts';

/** Why the state directory or database cannot be opened, in terms of what to do about it. */
export function stateCheck(paths: Paths, cause: unknown): Check {
  const why = oneLine(cause);
  if (cause instanceof ConfigError) {
    // A broken user config falls back to the last valid one and never gets here: this is the
    // package's own defaults file, which only a damaged install breaks.
    return {
      name: 'config',
      level: 'fail',
      detail: why,
      fix: 'reinstall ccguard (its own config.yaml is damaged); until then every hook allows and logs why',
    };
  }
  const meanwhile = 'until then every hook allows and prints why on stderr';
  // Neither SQLite runs in this Node: the state directory is not what is wrong.
  if (cause instanceof NoSqliteError)
    return { name: 'database', level: 'fail', detail: cause.why, fix: `${cause.fix}; ${meanwhile}` };
  const kind = (p: string): 'dir' | 'other' | 'none' => {
    try {
      return statSync(p).isDirectory() ? 'dir' : 'other';
    } catch {
      return 'none';
    }
  };
  const dir = kind(paths.stateDir);
  if (dir === 'other') {
    return {
      name: 'database',
      level: 'fail',
      detail: `the state directory ${paths.stateDir} is not a directory (${why})`,
      fix: `move that file aside or set CCGUARD_HOME to a writable folder; ${meanwhile}`,
    };
  }
  if (dir === 'dir') {
    try {
      accessSync(paths.stateDir, constants.W_OK | constants.X_OK);
    } catch {
      return {
        name: 'database',
        level: 'fail',
        detail: `the state directory ${paths.stateDir} is not writable (${why})`,
        fix: `chmod 700 ${paths.stateDir} (as its owner), or set CCGUARD_HOME to a writable folder; ${meanwhile}`,
      };
    }
    if (kind(paths.dbFile) === 'dir') {
      return {
        name: 'database',
        level: 'fail',
        detail: `${paths.dbFile} is a directory, not a database (${why})`,
        fix: `move it aside: the next hook rebuilds the database from the transcripts; ${meanwhile}`,
      };
    }
  }
  return {
    name: 'database',
    level: 'fail',
    detail: `cannot open the state: ${why}`,
    fix: `check that ${paths.stateDir} is a writable folder on a disk with space; ${meanwhile}`,
  };
}

/**
 * The config without the state directory (whose last-valid copy may be out of reach): the user's
 * file over the defaults, else the defaults alone; null when not even those load.
 */
export function configWithoutState(paths: Paths): Config | null {
  try {
    return loadConfig(paths.userConfigFile).config;
  } catch {
    try {
      // A user file that does not exist: the defaults alone.
      return loadConfig(join(paths.stateDir, '.no-user-config')).config;
    } catch {
      return null;
    }
  }
}
