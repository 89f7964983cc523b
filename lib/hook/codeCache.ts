// The full check loaded with V8's code cache. Node 20 has no compile cache of its own, and compiling
// the full check's one file is a share of every full check (V8 parses it whole, then compiles each
// function on its first call). The cache V8 hands back after a run holds the functions that run used,
// so the next full check skips both. V8 checks a cache against the source and its own version and
// flags, and ignores one that does not match (an upgrade, another Node): the file is then compiled as
// usual and the cache written anew. The cache lives in the private state directory.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { replaceFile } from '../util/atomic.ts';
import { fastDir } from '../store/generation.ts';

export interface CachedModule<T> {
  exports: T;
  /** Writes the cache when there was none or V8 refused it: call after the module did its work. */
  save(): void;
}

export function cacheFileFor(stateDir: string): string {
  return join(fastDir(stateDir), 'full-check.v8cache');
}

/** `require(file)`, compiled with the code cache at `cacheFile` when it fits. */
export function requireCached<T>(file: string, cacheFile: string): CachedModule<T> {
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${readFileSync(file, 'utf8')}\n})`;
  const script = new Script(wrapped, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const mod = { exports: {} as T };
  (script.runInThisContext() as (e: T, r: NodeJS.Require, m: { exports: T }, f: string, d: string) => void).call(
    mod.exports,
    mod.exports,
    createRequire(file),
    mod,
    file,
    dirname(file),
  );
  const fresh = cachedData === undefined || script.cachedDataRejected === true;
  return {
    exports: mod.exports,
    save: () => {
      if (!fresh) return;
      try {
        mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
        replaceFile(cacheFile, script.createCachedData(), { fsync: false });
      } catch {
        // no cache this time: the next full check compiles as before
      }
    },
  };
}
