import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../util/errors.ts';
import { cliPrefix } from '../util/invocation.ts';
import type { Env } from '../util/paths.ts';

/** The package root: the nearest folder above this module holding ccguard's package.json and config.yaml. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'config.yaml')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new ConfigError(`cannot find ccguard's config.yaml above ${from}`);
}

export function defaultConfigFile(): string {
  return join(packageRoot(), 'config.yaml');
}

/**
 * The words that start this package's CLI for a command printed to the user (`ccguard`, or node and
 * bin/ccguard.js by path when that is not what a shell finds): the rule install's output follows
 * (cliPrefix), for every "Run `ccguard resume`" a hook, status or command prints.
 */
export function ownCli(env: Env): string {
  return cliPrefix({ root: packageRoot(), nodePath: process.execPath, env });
}

/** ownCli, worked out on first use and then kept: for messages that may never be printed. */
export function ownCliLater(env: Env): () => string {
  let words: string | undefined;
  return () => (words ??= ownCli(env));
}
