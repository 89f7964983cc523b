/**
 * How to print a ccguard command so that it works when pasted into a shell as printed: every command
 * install, uninstall and doctor print goes through `cliCommand`.
 */
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Env } from './paths.ts';

/** One shell word: bare when it holds only characters no shell treats specially, else single-quoted. */
export function shellWord(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function real(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** The first executable `name` on PATH, as a shell looking it up would find it; null when none. */
export function onPath(name: string, env: Env): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    // An empty or relative entry depends on the folder the command is run from; a node_modules/.bin
    // is what npm run and npx put in front for this one command, not what the user's shell has.
    if (!dir || !isAbsolute(dir) || /[\\/]node_modules[\\/]\.bin[\\/]?$/.test(dir)) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      continue;
    }
  }
  return null;
}

export interface Self {
  /** The package whose CLI should run: its bin/ccguard.js. */
  root: string;
  /** The node binary running now (process.execPath). */
  nodePath: string;
  env: Env;
}

/**
 * The words that start this package's CLI: `ccguard` when the `ccguard` a shell finds first on PATH
 * is this package's bin/ccguard.js (a global install, `npm link`); otherwise node and the script by
 * absolute path (`node` itself when the `node` on PATH is the one running now). `npx ccguard` is
 * never printed: it works only inside the clone, or fetches a different copy from the registry.
 */
export function cliPrefix(self: Self): string {
  const script = join(self.root, 'bin', 'ccguard.js');
  const mine = real(script);
  const found = onPath('ccguard', self.env);
  if (mine !== null && found !== null && real(found) === mine) return 'ccguard';
  const node = onPath('node', self.env);
  const nodeWord =
    node !== null && real(node) !== null && real(node) === real(self.nodePath) ? 'node' : shellWord(self.nodePath);
  return `${nodeWord} ${shellWord(script)}`;
}

/** `ccguard doctor --project-dir /x`, or `node /abs/ccguard/bin/ccguard.js doctor ...`: see cliPrefix. */
export function cliCommand(self: Self, args: readonly string[]): string {
  return [cliPrefix(self), ...args.map(shellWord)].join(' ');
}
