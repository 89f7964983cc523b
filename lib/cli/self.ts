/**
 * What a user types to run this ccguard, for the commands the program prints ("Check it with: ... doctor"):
 *
 * - `ccguard` when the first `ccguard` on PATH is this package's bin/ccguard.js (a global install, or a
 *   link to this clone), after following symlinks: the shell would run exactly this copy;
 * - else `npx ccguard` when the current folder is inside this package's clone (a git checkout), where
 *   npx finds the package itself as the project;
 * - else `node /abs/path/bin/ccguard.js`, quoted for a POSIX shell where the path needs it.
 *
 * A `ccguard` on PATH that is some other copy does not count: typing `ccguard` would run that one.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { packageRoot } from '../config/root.ts';

/** One argument for a POSIX shell: bare when it holds only safe characters, else in single quotes. */
export function shellWord(s: string): string {
  if (s.length > 0 && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function realOrNull(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

function isExecutableFile(p: string): boolean {
  try {
    // X_OK is what a shell needs; statSync(p) follows symlinks.
    return statSync(p).isFile() && (statSync(p).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The file a POSIX shell runs for `name`: the first executable `dir/name` along PATH (an empty entry is the current folder). */
export function whichFirst(name: string, path: string | undefined, cwd: string): string | null {
  if (!path) return null;
  for (const entry of path.split(delimiter)) {
    const dir = entry === '' ? cwd : resolve(cwd, entry);
    const file = join(dir, name);
    if (isExecutableFile(file)) return file;
  }
  return null;
}

/** `inner` is `outer` or below it. */
function isWithin(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The project npm (and so npx) takes for `cwd`: the nearest folder at or above it holding a
 * package.json or a node_modules.
 */
function npmProjectOf(cwd: string): string | null {
  let dir = cwd;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'node_modules'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

export interface SelfWhere {
  env: NodeJS.ProcessEnv;
  /** The package root (the folder with package.json, config.yaml and bin/ccguard.js). */
  root: string;
  cwd: string;
}

/** selfCommand with everything it looks at given: for tests. */
export function selfCommandAt({ env, root, cwd }: SelfWhere): string {
  const bin = join(root, 'bin', 'ccguard.js');
  const realBin = realOrNull(bin) ?? resolve(bin);

  const onPath = whichFirst('ccguard', env.PATH, cwd);
  if (onPath !== null && realOrNull(onPath) === realBin) return 'ccguard';

  // A clone: a git checkout (.git is a folder, or a file in a worktree) whose package npx would find
  // from here, i.e. no nearer package.json or node_modules in between.
  const realRoot = realOrNull(root) ?? resolve(root);
  const realCwd = realOrNull(cwd) ?? resolve(cwd);
  if (existsSync(join(realRoot, '.git')) && isWithin(realCwd, realRoot) && npmProjectOf(realCwd) === realRoot) return 'npx ccguard';

  return `node ${shellWord(realBin)}`;
}

/** The package whose bin/ccguard.js `script` is (or which holds `script`, e.g. a bundled hook), if any. */
function rootAbove(script: string): string | null {
  const real = realOrNull(script);
  if (real === null) return null;
  try {
    const root = packageRoot(real);
    return existsSync(join(root, 'bin', 'ccguard.js')) ? root : null;
  } catch {
    return null;
  }
}

/**
 * What a user should type to run ccguard from where it is installed (see the top of this file).
 * `argv1` names the ccguard to run: the script node was started with (process.argv[1], the `ccguard`
 * the user typed, symlink or not), or a copy's bin/ccguard.js; without it (or when it is not inside a
 * ccguard package), the package this code is running from.
 */
export function selfCommand(env: NodeJS.ProcessEnv, argv1?: string): string {
  const root = (argv1 !== undefined ? rootAbove(argv1) : null) ?? packageRoot();
  return selfCommandAt({ env, root, cwd: process.cwd() });
}
