import { readFileSync, statSync } from 'node:fs';
import { replaceFile } from '../util/atomic.ts';
import { dirname, join } from 'node:path';
import type { Config } from './schema.ts';
import type { ConfigProblem, LoadedConfig } from './load.ts';
import { ConfigError } from '../util/errors.ts';
import { defaultConfigFile } from './root.ts';
import { ensurePrivateDir } from '../util/fsPrivate.ts';
import { fmtDateTime } from '../util/format.ts';

interface Stamp {
  path: string;
  mtimeMs: number;
  size: number;
}

function stamp(path: string): Stamp | null {
  try {
    const s = statSync(path);
    return { path, mtimeMs: s.mtimeMs, size: s.size };
  } catch {
    return null;
  }
}

const same = (a: Stamp | null, b: unknown): boolean =>
  a === null ? b === null : typeof b === 'object' && b !== null && JSON.stringify(a) === JSON.stringify(b);

/**
 * A checksum of the cached config (two FNV-1a lanes): it catches a damaged or hand-edited cache
 * file, which is all it is for, without loading node:crypto into every status and hook.
 */
function digest(config: unknown): string {
  const s = JSON.stringify(config) ?? '';
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * The effective config, from a cache of the last validated result while neither YAML file changed.
 * Parsing YAML and building the zod schema cost more than the rest of a short command; both are
 * loaded (dynamic import) only on a miss. The cache is ccguard's own private file holding a config that already passed
 * validation, with a digest that catches a damaged file.
 */
export async function loadConfigCached(
  userFile: string,
  stateDir: string,
  defaultsFile = defaultConfigFile(),
): Promise<LoadedConfig> {
  const cacheFile = join(stateDir, 'config.cache.json');
  const d = stamp(defaultsFile);
  const u = stamp(userFile);
  try {
    const raw: unknown = JSON.parse(readFileSync(cacheFile, 'utf8'));
    if (typeof raw === 'object' && raw !== null) {
      const c = raw as Record<string, unknown>;
      if (
        c.v === 2 &&
        same(d, c.defaults) &&
        same(u, c.user) &&
        typeof c.sum === 'string' &&
        c.sum === digest(c.config)
      ) {
        const sources = Array.isArray(c.sources) ? (c.sources as string[]) : [];
        return c.problem
          ? { config: c.config as Config, sources, problem: c.problem as ConfigProblem }
          : { config: c.config as Config, sources };
      }
    }
  } catch {
    // no cache, or an unreadable one: validate afresh
  }
  const loaded =
    u === null
      ? (prebuiltDefaults(defaultsFile) ?? (await validate(userFile, defaultsFile)))
      : await validateOrFallBack(userFile, defaultsFile, stateDir);
  try {
    ensurePrivateDir(stateDir);
    // A fallback is cached too, with its problem: every hook goes on enforcing with it and saying so,
    // without parsing the broken file again, until the file changes.
    replaceFile(
      cacheFile,
      JSON.stringify({
        v: 2,
        defaults: d,
        user: u,
        sources: loaded.sources,
        config: loaded.config,
        sum: digest(loaded.config),
        ...(loaded.problem ? { problem: loaded.problem } : {}),
      }),
      { fsync: false },
    );
    if (u !== null && !loaded.problem) {
      replaceFile(
        join(stateDir, LAST_VALID),
        JSON.stringify({
          v: 1,
          at: Date.now(),
          sources: loaded.sources,
          config: loaded.config,
          sum: digest(loaded.config),
        }),
        { fsync: false },
      );
    }
  } catch {
    // an unwritable state directory just means no cache
  }
  return loaded;
}

/** The last user configuration that validated, kept so a broken edit does not switch enforcement off. */
export const LAST_VALID = 'config.last-valid.json';

/**
 * The user's file merged over the defaults; when the user's file is what is broken, the last
 * configuration that validated (or the defaults) with the problem named. A broken defaults file (a
 * damaged install) still throws: there is nothing sound to fall back to.
 */
async function validateOrFallBack(userFile: string, defaultsFile: string, stateDir: string): Promise<LoadedConfig> {
  try {
    return await validate(userFile, defaultsFile);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const defaults =
      prebuiltDefaults(defaultsFile) ?? (await validate(join(stateDir, '.no-user-config'), defaultsFile));
    const last = lastValid(stateDir);
    if (last) {
      // Keys added to the defaults since (an upgrade) come from the defaults; the user's values stand.
      const { deepMerge } = await import('./load.ts');
      const config = deepMerge(defaults.config, last.config) as Config;
      return {
        config,
        sources: last.sources,
        problem: { message: err.message, fallback: 'last_valid', validAt: last.at },
      };
    }
    return {
      config: defaults.config,
      sources: defaults.sources,
      problem: { message: err.message, fallback: 'defaults', validAt: null },
    };
  }
}

function lastValid(stateDir: string): { config: Config; sources: string[]; at: number } | null {
  try {
    const raw: unknown = JSON.parse(readFileSync(join(stateDir, LAST_VALID), 'utf8'));
    if (typeof raw !== 'object' || raw === null) return null;
    const c = raw as Record<string, unknown>;
    if (c.v !== 1 || typeof c.at !== 'number' || typeof c.sum !== 'string' || c.sum !== digest(c.config)) return null;
    return { config: c.config as Config, sources: Array.isArray(c.sources) ? (c.sources as string[]) : [], at: c.at };
  } catch {
    return null;
  }
}

async function validate(userFile: string, defaultsFile: string): Promise<LoadedConfig> {
  const { loadConfig } = await import('./load.ts');
  return loadConfig(userFile, defaultsFile);
}

/** Where the build leaves the validated defaults (see build.mjs). */
export function prebuiltDefaultsFile(defaultsFile: string): string {
  return join(dirname(defaultsFile), 'dist', 'config.defaults.json');
}

/**
 * The defaults as the build validated them, while config.yaml is the text it validated (compared in
 * full): with no user config, the first run of anything (an install's first hook, a first import)
 * skips loading YAML and zod.
 */
function prebuiltDefaults(defaultsFile: string): LoadedConfig | null {
  try {
    const raw: unknown = JSON.parse(readFileSync(prebuiltDefaultsFile(defaultsFile), 'utf8'));
    if (typeof raw !== 'object' || raw === null) return null;
    const c = raw as Record<string, unknown>;
    if (c.v !== 1 || typeof c.yaml !== 'string' || c.yaml !== readFileSync(defaultsFile, 'utf8')) return null;
    if (typeof c.sum !== 'string' || c.sum !== digest(c.config)) return null;
    return { config: c.config as Config, sources: [defaultsFile] };
  } catch {
    return null;
  }
}

/** What build.mjs writes: the defaults file's text and the config it validates to. @public (build.mjs runs it) */
export function prebuiltDefaultsJson(yamlText: string, config: Config): string {
  return JSON.stringify({ v: 1, yaml: yamlText, config, sum: digest(config) });
}

/** What enforcing goes on with, in words. */
export function fallbackText(p: ConfigProblem): string {
  return p.fallback === 'last_valid'
    ? `enforcing with the last valid configuration${p.validAt !== null ? ` (from ${fmtDateTime(p.validAt)})` : ''}`
    : 'enforcing with the default configuration';
}
